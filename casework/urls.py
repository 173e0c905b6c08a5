from django.urls import path

from . import views

app_name = "casework"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("nieuw/", views.case_open, name="case_open"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/bewerken/", views.case_edit, name="case_edit"),
    path("<int:pk>/status/", views.case_status, name="case_status"),
    path("<int:pk>/alternatieven/", views.alternative_add, name="alternative_add"),
    path("<int:pk>/ret/", views.ret_create, name="ret_create"),
    path("ret/agenda/", views.ret_agenda, name="ret_agenda"),
    path("ret/<int:pk>/", views.ret_detail, name="ret_detail"),
    path("ret/<int:pk>/bewerken/", views.ret_edit, name="ret_edit"),
    path("ret/<int:pk>/acties/", views.ret_action_add, name="ret_action_add"),
    path("ret/acties/<int:pk>/afgerond/", views.ret_action_done, name="ret_action_done"),
    path("ret/<int:pk>/follow-up/", views.ret_follow_up, name="ret_follow_up"),
    path("checklists/", views.checklist_list, name="checklist_list"),
    path("checklists/kind/<int:child_pk>/", views.checklist_create, name="checklist_create"),
    path("checklists/<int:pk>/", views.checklist_detail, name="checklist_detail"),
    path("checklists/<int:pk>/bewerken/", views.checklist_edit, name="checklist_edit"),
    path("week-van-de-casus/", views.case_week_list, name="case_week_list"),
    path("week-van-de-casus/plaatsing/<int:episode_pk>/", views.case_week_create, name="case_week_create"),
    path("week-van-de-casus/<int:pk>/", views.case_week_detail, name="case_week_detail"),
    path("lessen/", views.lessons, name="lessons"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/traject/<int:episode_pk>/", views.follow_up_add, name="follow_up_add"),
]
