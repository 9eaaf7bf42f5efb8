"""Routes a customer finds on a site (contact, newsletter, unsubscribe, order status) and the words shops use."""
