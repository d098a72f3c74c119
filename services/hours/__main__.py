from services.hours.app import define
from shared.cli import run

run(define)
