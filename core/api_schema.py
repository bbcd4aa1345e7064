"""OpenAPI post-processing: document the error responses every operation can give.

drf-spectacular documents the success response only; clients (and the schemathesis run
in the test suite, which checks every response against the schema) also need the errors
the API really returns: 400 with field errors for a rejected write or filter, 401/403 for
a missing or insufficient permission, 404 for an object outside the caller's scope or a
page past the end of a list.
"""

from __future__ import annotations

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# {"field": ["message", ...], "non_field_errors": [...]} (nested for nested fields).
VALIDATION_ERROR = {"type": "object", "additionalProperties": {}}


def _response(description: str, component: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def document_errors(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    # An empty filter (?status=, as the list pages' filter forms send) means "any".
                    parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            has_input = method in {"post", "put", "patch"} or any(
                p.get("in") == "query" for p in operation.get("parameters", [])
            )
            if has_input:
                responses.setdefault("400", _response("Invalid input: messages by field name.", "ValidationError"))
            responses.setdefault("401", _response("Not authenticated (invalid token).", "Error"))
            responses.setdefault("403", _response("Not allowed for the caller's role.", "Error"))
            responses.setdefault("404", _response("Not found, or outside the caller's scope.", "Error"))
    return result
