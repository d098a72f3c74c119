from services.enrollment.app import define
from shared.cli import run

run(define)
