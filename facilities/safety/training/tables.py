"""Training types with validity, named people without an account, completions, and the
trainings required per role and site."""

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from facilities.accounts.tables import PartnerOrganisation, User
from facilities.sites.tables import Site


class TrainingType(Table, tablename="safety_training_type"):
    id: Serial
    key = Varchar(length=40, unique=True, null=False)
    name_en = Varchar(length=200, null=False)
    name_de = Varchar(length=200, null=False)
    validity_months = Integer(null=True, default=None)  # None: never expires
    shipped = Boolean(default=False)
    active = Boolean(default=True)


class Trainee(Table, tablename="safety_trainee"):
    """A named person without an account (a freelancer, a partner's worker) who takes
    trainings; people with an account are users."""

    id: Serial
    name = Varchar(length=200, null=False)
    email = Varchar(length=254, default="", index=True)
    site = ForeignKey(Site, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    partner_organisation = ForeignKey(
        PartnerOrganisation, null=True, default=None, on_delete=OnDelete.set_null
    )
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class TrainingCompletion(Table, tablename="safety_training_completion"):
    """One person completed one training on a day. ``subject`` is ``u<user id>`` or
    ``t<trainee id>``; unique (subject, training type, completed_on) by a raw index."""

    id: Serial
    subject = Varchar(length=20, null=False, index=True)
    user = ForeignKey(User, null=True, default=None, on_delete=OnDelete.cascade)
    trainee = ForeignKey(Trainee, null=True, default=None, on_delete=OnDelete.cascade)
    training_type = ForeignKey(TrainingType, null=False, on_delete=OnDelete.restrict)
    completed_on = Date(null=False)
    valid_until = Date(null=True, default=None)
    reference = Varchar(length=100, default="")
    source = Varchar(length=10, default="manual")  # manual | import
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class TrainingRequirement(Table, tablename="safety_training_requirement"):
    """A training required of a role ('' = everyone) at a site (None = every site)."""

    id: Serial
    training_type = ForeignKey(TrainingType, null=False, on_delete=OnDelete.cascade)
    role = Varchar(length=20, default="")
    site = ForeignKey(Site, null=True, default=None, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
