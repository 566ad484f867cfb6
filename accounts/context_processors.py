from .roles import can_write


def household(request):
    return {"household": getattr(request, "household", None)}


def role(request):
    """`can_write`: templates show write controls (add, edit, delete buttons) only when true."""
    return {"can_write": can_write(getattr(request, "membership", None))}
