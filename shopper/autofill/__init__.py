"""Autofill: fill a form with the shopper's persona the way a browser's autofill does."""
