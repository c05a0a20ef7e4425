"""Development tools of nspr_ctypes (not part of the installed package)."""
