from services.planning.app import define
from shared.cli import run

run(define)
