"""Spreadsheets in and out of the register: .xlsx/.csv imports with a dry-run report, templates, rosters
and sign-in sheets (签到表). Pure: bytes in, rows and problems out; rows in, bytes out."""
