"""Importing bank statements into a cycle.

limits → decoding → formats / csv_reader → rows → reconciliation, rules → pipeline (pure, no
database); models, selectors, services (reads and writes); forms, views (the web pages).
"""
