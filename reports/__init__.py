"""Reports: read the store, write HTML (and JSON/JUnit later). Never imports probes."""
