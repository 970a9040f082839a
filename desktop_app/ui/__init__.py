"""The PySide6 window. Everything here calls Session/services; no SQL, no business rules."""
