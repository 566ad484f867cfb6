def household(request):
    return {"household": getattr(request, "household", None)}
