"""Report exports: XLSX (openpyxl), DOCX in the administrative format (python-docx) and CSV.
Each format renders the same tables (tasks.exports.tables) so the figures cannot drift apart."""
