from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="reporting",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["facilities.reporting.tables"], exclude_imported=True),
    migration_dependencies=[
        "facilities.accounts.piccolo_app",
        "facilities.sites.piccolo_app",
    ],
    commands=[],
)
