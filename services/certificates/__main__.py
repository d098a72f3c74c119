from services.certificates.app import define
from shared.cli import run

run(define)
