"""Error bodies shaped like Google's, raised by the data layers and rendered by the server."""
from __future__ import annotations

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    def __init__(self, code: int, reason: str, message: str, domain: str = "global",
                 location: str | None = None, location_type: str | None = "parameter",
                 status: str | None = None, headers: dict | None = None, details: list | None = None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.domain = domain
        self.location = location
        self.location_type = location_type
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")
        self.headers = headers or {}
        self.details = details

    def body(self) -> dict:
        err = {"message": self.message, "domain": self.domain, "reason": self.reason}
        if self.location:
            err["location"] = self.location
            err["locationType"] = self.location_type
        body = {"code": self.code, "message": self.message, "errors": [err], "status": self.status}
        if self.details:
            body["details"] = self.details
        return {"error": body}


def bad_request(message: str, reason: str = "invalidParameter", location: str | None = None,
                domain: str = "global") -> ApiError:
    return ApiError(400, reason, message, domain=domain, location=location)


def invalid_page_token(domain: str = "global") -> ApiError:
    return ApiError(400, "invalidPageToken", "The request specifies an invalid page token.",
                    domain=domain, location="pageToken")
