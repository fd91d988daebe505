"""The catalogue blueprint: products and prices, categories, tax categories, modifiers."""
