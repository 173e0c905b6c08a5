from .models import Role


def role(request):
    user = getattr(request, "user", None)
    return {"ROLE": getattr(user, "role", None) if user and user.is_authenticated else None, "Role": Role}
