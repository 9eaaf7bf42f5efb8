"""The faults suite: real servers stopped, killed, filled, or fed hostile input."""
