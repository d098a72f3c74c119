from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "certificates"
    http_port: int = 8004
