"""Exports: enrolment and cost lists as CSV and XLSX, the attendance sheet."""
