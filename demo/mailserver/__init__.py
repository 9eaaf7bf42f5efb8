"""The demo world's mail servers: a private Dovecot for the shopper's mailbox and for tests."""
