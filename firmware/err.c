#include "firmware/err.h"

const char *bk_strerror(bk_err e)
{
	switch (e) {
	case BK_OK: return "success";
	case BK_ERR_INVALID: return "invalid input";
	case BK_ERR_NOMEM: return "out of memory";
	case BK_ERR_IO: return "I/O error";
	case BK_ERR_FULL: return "disk full";
	case BK_ERR_NOTFOUND: return "not found";
	case BK_ERR_BUSY: return "database busy";
	case BK_ERR_CORRUPT: return "database damaged or not a kiosk store";
	case BK_ERR_EXHAUSTED: return "no ticket numbers left for today";
	case BK_ERR_CONFIG: return "configuration error";
	case BK_ERR_NETWORK: return "network error";
	case BK_ERR_PROTOCOL: return "protocol error";
	case BK_ERR_TOOLARGE: return "input too large";
	case BK_ERR_ACCESS: return "access key refused";
	case BK_ERR_REMOVED: return "card or device removed";
	case BK_ERR_TIMEOUT: return "device timed out";
	case BK_ERR_AUTH: return "authenticity check failed";
	}
	return "unknown error";
}
