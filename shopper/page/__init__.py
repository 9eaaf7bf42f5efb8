"""What steps, routes and autofill share about a page: how a step names an element, text matching, addresses."""
