from django.apps import AppConfig


class FostercareConfig(AppConfig):
    name = "fostercare"
