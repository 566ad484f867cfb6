"""A household's set-up: categories and payment methods (services, selectors, forms, views)."""
