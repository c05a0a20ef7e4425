"""``nss.ssl`` belongs to NSS proper, which nspr_ctypes does not provide."""

from nspr_ctypes.compat import _not_provided

raise _not_provided(__name__)
