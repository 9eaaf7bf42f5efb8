"""The demo world: a small shop and a company mail system with defects planted behind named switches."""
