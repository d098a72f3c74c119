from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "enrollment"
    http_port: int = 8001
