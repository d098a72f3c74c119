from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "planning"
    http_port: int = 8005
