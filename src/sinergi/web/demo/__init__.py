"""The Banyuasin demo: real hierarchy, the seed articles' figures, and labelled illustrative data."""
