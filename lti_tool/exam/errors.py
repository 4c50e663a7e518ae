"""Refusals from the exam domain."""

from lti_tool.errors import AppError


class InvalidExam(AppError):
    code = "invalid_exam"
    title = "The exam could not be saved"


class EditRefused(AppError):
    http_status = 409
    code = "edit_refused"
    title = "That change is not allowed now"
