from django.urls import path

from accounts.api import views

urlpatterns = [
    path("auth/csrf/", views.CsrfView.as_view(), name="api-auth-csrf"),
    path("auth/signup/", views.SignupView.as_view(), name="api-auth-signup"),
    path("auth/login/", views.LoginView.as_view(), name="api-auth-login"),
    path("auth/logout/", views.LogoutView.as_view(), name="api-auth-logout"),
    path(
        "auth/password/change/",
        views.PasswordChangeView.as_view(),
        name="api-auth-password-change",
    ),
    path(
        "auth/password/reset/",
        views.PasswordResetView.as_view(),
        name="api-auth-password-reset",
    ),
    path(
        "auth/password/reset/confirm/",
        views.PasswordResetConfirmView.as_view(),
        name="api-auth-password-reset-confirm",
    ),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("me/token/", views.MeTokenView.as_view(), name="api-me-token"),
]
