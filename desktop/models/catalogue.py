"""The catalogue's own reference data: the part category tree, manufacturers as companies, and the
units an admin adds beside the built-in ones.

Kept out of the `part` table (a part's category is a row of `part_category`), so other modules'
migrations never collide on `part` and its search triggers."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Stamped


class Category(Stamped, Base):
    """A node of the category tree (Fasteners > Bolts > Hex); `path` is stored whole so a subtree is one
    indexed prefix query."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    path: Mapped[str] = mapped_column(String(400))  # "Fasteners > Bolts > Hex"
    path_key: Mapped[str] = mapped_column(String(400), unique=True)  # upper-cased path
    description: Mapped[str | None] = mapped_column(String(200))


class PartCategoryLink(Base):
    """The category a part is filed under (at most one)."""

    __tablename__ = "part_category"

    part_id: Mapped[int] = mapped_column(ForeignKey("part.id", ondelete="CASCADE"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)


class Manufacturer(Stamped, Base):
    """A maker of parts; its numbers are the parts' manufacturer numbers that name it."""

    __tablename__ = "manufacturer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80), unique=True)
    website: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class UnitOfMeasure(Stamped, Base):
    """A unit an admin added, with the other names files use for it ("bag, bags, sack")."""

    __tablename__ = "unit_of_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    aliases: Mapped[str | None] = mapped_column(String(200))
