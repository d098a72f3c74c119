from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "hours"
    http_port: int = 8002
