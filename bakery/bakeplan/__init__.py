"""The bake plan blueprint: tomorrow's bake, the production list, how good a plan was, sell-through."""
