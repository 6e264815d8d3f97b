from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="safety",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(
        modules=[
            "facilities.safety.inspections.tables",
            "facilities.safety.incidents.tables",
            "facilities.safety.compliance.tables",
            "facilities.safety.training.tables",
            "facilities.safety.report.tables",
        ],
        exclude_imported=True,
    ),
    migration_dependencies=[
        "facilities.accounts.piccolo_app",
        "facilities.sites.piccolo_app",
        "facilities.assets.piccolo_app",
        "facilities.maintenance.piccolo_app",
        "facilities.services.piccolo_app",
    ],
    commands=[],
)
