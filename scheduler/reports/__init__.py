"""Reports the commune police file with the People's Committee and the provincial police (PC07).

Owns: the reporting period (`periods`), the one computation of every figure from the database
(`figures`: as-run log, coverage reports, outbox), and the writers that render those figures as JSON,
XLSX and DOCX in the Vietnamese administrative layout (`writers`, `docx`, `xlsx`, `chart`). One
computation feeds every format, so they never disagree.

May import `programs`, `campaign`, `config`, `db`, `store`, `errors`. Never `service`, `web`, `cli`.
"""
