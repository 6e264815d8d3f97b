from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="maintenance",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(
        modules=["facilities.maintenance.tables", "facilities.maintenance.rollouts.tables"],
        exclude_imported=True,
    ),
    migration_dependencies=[
        "facilities.accounts.piccolo_app",
        "facilities.sites.piccolo_app",
        "facilities.assets.piccolo_app",
    ],
    commands=[],
)
