from services.evaluation.app import define
from shared.cli import run

run(define)
