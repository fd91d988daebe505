"""The catalogue (managers): products and prices, categories, tax categories, modifier groups."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from bakery.extensions import db
from bakery.formatting import money
from bakery.models import Category, ModifierGroup, ModifierOption, Product, TaxCategory, Variant
from bakery.security import actor
from bakery.services import catalogue
from bakery.services.errors import NotFound, ServiceError
from bakery.stock.forms import (
    CategoryForm,
    ModifierGroupForm,
    ModifierOptionForm,
    ProductForm,
    ProductGroupsForm,
    TaxCategoryForm,
    VariantForm,
)

bp = Blueprint("stock", __name__, url_prefix="/office/catalogue")

Page = tuple[str, int]
M = TypeVar("M")


def _or_404(model: type[M], row_id: int, what: str) -> M:
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(f"That {what} does not exist.")
    return row


def _refused(refused: ServiceError) -> str:
    """A refusal shown on the page: the data was left as it was, so drop any half-done work."""
    if isinstance(refused, NotFound):
        raise refused
    db.session.rollback()
    return refused.message


def _categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.sort_order, Category.name)))


def _tax_categories() -> list[TaxCategory]:
    return list(db.session.scalars(select(TaxCategory).order_by(TaxCategory.name)))


def _modifier_groups() -> list[ModifierGroup]:
    return list(
        db.session.scalars(
            select(ModifierGroup).options(selectinload(ModifierGroup.options)).order_by(ModifierGroup.name)
        )
    )


# --- products --------------------------------------------------------------------------------


def _products_page(form: ProductForm | None = None, error: str | None = None, status: int = 200) -> Page:
    categories = _categories()
    taxes = _tax_categories()
    by_category: dict[int, list[Product]] = {}
    for product in db.session.scalars(
        select(Product).options(selectinload(Product.variants)).order_by(Product.sort_order, Product.name)
    ):
        by_category.setdefault(product.category_id, []).append(product)
    form = form or ProductForm(formdata=None)
    form.set_choices(categories, taxes)
    return (
        render_template(
            "stock/products.html",
            categories=categories,
            by_category=by_category,
            can_add=bool(categories and taxes),
            form=form,
            error=error,
        ),
        status,
    )


@bp.get("/")
def list_products() -> Page:
    """Products by category with their prices, and adding one."""
    return _products_page()


@bp.post("/products")
def create_product() -> Response | Page:
    """Add a product."""
    form = ProductForm()
    if not form.validate_on_submit():
        return _products_page(form, status=422)
    try:
        product = catalogue.create_product(**form.values(), actor=actor())
    except ServiceError as refused:
        return _products_page(form, _refused(refused), 422)
    flash(f"{product.name} added at {money(product.price)}.")
    return redirect(url_for("stock.edit_product", product_id=product.id))


def _product_page(
    product: Product, status: int = 200, errors: dict[str, str] | None = None, **forms: Any
) -> Page:
    form = forms.get("form") or ProductForm(formdata=None, obj=product)
    form.set_choices(_categories(), _tax_categories())
    groups = _modifier_groups()
    groups_form = forms.get("groups_form") or ProductGroupsForm(
        formdata=None, data={"group_ids": [grp.id for grp in product.modifier_groups]}
    )
    groups_form.set_choices(groups)
    return (
        render_template(
            "stock/product.html",
            product=product,
            form=form,
            variant_form=forms.get("variant_form") or VariantForm(formdata=None),
            groups_form=groups_form,
            groups=groups,
            chosen=set(groups_form.group_ids.data or []),
            errors=errors or {},
        ),
        status,
    )


@bp.get("/products/<int:product_id>")
def edit_product(product_id: int) -> Page:
    """One product: its details, variants and modifier groups."""
    return _product_page(_or_404(Product, product_id, "product"))


@bp.post("/products/<int:product_id>")
def update_product(product_id: int) -> Response | Page:
    """Save a product's details (deactivate it here: products are never deleted)."""
    product = _or_404(Product, product_id, "product")
    form = ProductForm()
    if not form.validate_on_submit():
        return _product_page(product, 422, form=form)
    try:
        catalogue.update_product(product.id, **form.values(), actor=actor())
    except ServiceError as refused:
        return _product_page(product, 422, {"product": _refused(refused)}, form=form)
    flash(f"{product.name} saved.")
    return redirect(url_for("stock.edit_product", product_id=product.id))


@bp.post("/products/<int:product_id>/variants")
def add_variant(product_id: int) -> Response | Page:
    """Add a variant (a size or version at its own price)."""
    product = _or_404(Product, product_id, "product")
    form = VariantForm()
    if not form.validate_on_submit():
        return _product_page(product, 422, variant_form=form)
    try:
        variant = catalogue.add_variant(product.id, **form.values(), actor=actor())
    except ServiceError as refused:
        return _product_page(product, 422, {"variants": _refused(refused)}, variant_form=form)
    flash(f"Variant {variant.name} added.")
    return redirect(url_for("stock.edit_product", product_id=product.id))


@bp.post("/variants/<int:variant_id>/remove")
def remove_variant(variant_id: int) -> Response | Page:
    """Remove a variant, unless a basket still being rung up holds it."""
    variant = _or_404(Variant, variant_id, "variant")
    product_id, name = variant.product_id, variant.name
    try:
        catalogue.remove_variant(variant.id, actor())
    except ServiceError as refused:
        message = _refused(refused)
        return _product_page(_or_404(Product, product_id, "product"), 422, {"variants": message})
    flash(f"Variant {name} removed.")
    return redirect(url_for("stock.edit_product", product_id=product_id))


@bp.post("/products/<int:product_id>/modifier-groups")
def choose_modifier_groups(product_id: int) -> Response | Page:
    """Choose which modifier groups the product offers on the till."""
    product = _or_404(Product, product_id, "product")
    form = ProductGroupsForm()
    if not form.validate_on_submit():
        return _product_page(product, 422, groups_form=form)
    try:
        catalogue.set_product_modifier_groups(product.id, form.group_ids.data or [], actor())
    except ServiceError as refused:
        return _product_page(product, 422, {"groups": _refused(refused)}, groups_form=form)
    flash(f"Modifier groups for {product.name} saved.")
    return redirect(url_for("stock.edit_product", product_id=product.id))


# --- categories ------------------------------------------------------------------------------


def _categories_page(form: CategoryForm | None = None, error: str | None = None, status: int = 200) -> Page:
    return (
        render_template(
            "stock/categories.html",
            categories=_categories(),
            form=form or CategoryForm(formdata=None),
            error=error,
        ),
        status,
    )


@bp.get("/categories")
def list_categories() -> Page:
    """Categories in till order, and adding one."""
    return _categories_page()


@bp.post("/categories")
def create_category() -> Response | Page:
    """Add a category."""
    form = CategoryForm()
    if not form.validate_on_submit():
        return _categories_page(form, status=422)
    try:
        category = catalogue.create_category(**form.values(), actor=actor())
    except ServiceError as refused:
        return _categories_page(form, _refused(refused), 422)
    flash(f"Category {category.name} added.")
    return redirect(url_for("stock.list_categories"))


def _category_page(category: Category, form: CategoryForm | None = None, error: str | None = None) -> Page:
    return (
        render_template(
            "stock/category.html",
            category=category,
            form=form or CategoryForm(formdata=None, obj=category),
            error=error,
        ),
        200 if form is None else 422,
    )


@bp.get("/categories/<int:category_id>")
def edit_category(category_id: int) -> Page:
    """One category."""
    return _category_page(_or_404(Category, category_id, "category"))


@bp.post("/categories/<int:category_id>")
def update_category(category_id: int) -> Response | Page:
    """Save a category (deactivate it here: categories are never deleted)."""
    category = _or_404(Category, category_id, "category")
    form = CategoryForm()
    if not form.validate_on_submit():
        return _category_page(category, form)
    try:
        catalogue.update_category(category.id, **form.values(), actor=actor())
    except ServiceError as refused:
        return _category_page(category, form, _refused(refused))
    flash(f"Category {category.name} saved.")
    return redirect(url_for("stock.list_categories"))


# --- tax categories --------------------------------------------------------------------------


def _tax_categories_page(
    form: TaxCategoryForm | None = None, error: str | None = None, status: int = 200
) -> Page:
    return (
        render_template(
            "stock/tax_categories.html",
            taxes=_tax_categories(),
            form=form or TaxCategoryForm(formdata=None),
            error=error,
        ),
        status,
    )


@bp.get("/tax-categories")
def list_tax_categories() -> Page:
    """Tax categories with their takeaway and eat-in rates, and adding one."""
    return _tax_categories_page()


@bp.post("/tax-categories")
def create_tax_category() -> Response | Page:
    """Add a tax category."""
    form = TaxCategoryForm()
    if not form.validate_on_submit():
        return _tax_categories_page(form, status=422)
    try:
        tax = catalogue.create_tax_category(**form.values(), actor=actor())
    except ServiceError as refused:
        return _tax_categories_page(form, _refused(refused), 422)
    flash(f"Tax category {tax.name} added.")
    return redirect(url_for("stock.list_tax_categories"))


def _tax_category_page(
    tax: TaxCategory, form: TaxCategoryForm | None = None, error: str | None = None
) -> Page:
    return (
        render_template(
            "stock/tax_category.html",
            tax=tax,
            form=form or TaxCategoryForm(formdata=None, obj=tax),
            error=error,
        ),
        200 if form is None else 422,
    )


@bp.get("/tax-categories/<int:tax_id>")
def edit_tax_category(tax_id: int) -> Page:
    """One tax category."""
    return _tax_category_page(_or_404(TaxCategory, tax_id, "tax category"))


@bp.post("/tax-categories/<int:tax_id>")
def update_tax_category(tax_id: int) -> Response | Page:
    """Save a tax category (new rates apply from the next sale on)."""
    tax = _or_404(TaxCategory, tax_id, "tax category")
    form = TaxCategoryForm()
    if not form.validate_on_submit():
        return _tax_category_page(tax, form)
    try:
        catalogue.update_tax_category(tax.id, **form.values(), actor=actor())
    except ServiceError as refused:
        return _tax_category_page(tax, form, _refused(refused))
    flash(f"Tax category {tax.name} saved.")
    return redirect(url_for("stock.list_tax_categories"))


# --- modifier groups -------------------------------------------------------------------------


def _groups_page(form: ModifierGroupForm | None = None, error: str | None = None, status: int = 200) -> Page:
    return (
        render_template(
            "stock/modifier_groups.html",
            groups=_modifier_groups(),
            form=form or ModifierGroupForm(formdata=None),
            error=error,
        ),
        status,
    )


@bp.get("/modifier-groups")
def list_modifier_groups() -> Page:
    """Modifier groups and their options, and adding a group."""
    return _groups_page()


@bp.post("/modifier-groups")
def create_modifier_group() -> Response | Page:
    """Add a modifier group; its options are added on its own page."""
    form = ModifierGroupForm()
    if not form.validate_on_submit():
        return _groups_page(form, status=422)
    try:
        group = catalogue.create_modifier_group(**form.values(), actor=actor())
    except ServiceError as refused:
        return _groups_page(form, _refused(refused), 422)
    flash(f"Modifier group {group.name} added. Now add its options.")
    return redirect(url_for("stock.edit_modifier_group", group_id=group.id))


def _group_page(
    group: ModifierGroup, status: int = 200, errors: dict[str, str] | None = None, **forms: Any
) -> Page:
    return (
        render_template(
            "stock/modifier_group.html",
            group=group,
            form=forms.get("form") or ModifierGroupForm(formdata=None, obj=group),
            option_form=forms.get("option_form") or ModifierOptionForm(formdata=None),
            errors=errors or {},
        ),
        status,
    )


@bp.get("/modifier-groups/<int:group_id>")
def edit_modifier_group(group_id: int) -> Page:
    """One modifier group and its options."""
    return _group_page(_or_404(ModifierGroup, group_id, "modifier group"))


@bp.post("/modifier-groups/<int:group_id>")
def update_modifier_group(group_id: int) -> Response | Page:
    """Save a modifier group's name and how many choices it takes."""
    group = _or_404(ModifierGroup, group_id, "modifier group")
    form = ModifierGroupForm()
    if not form.validate_on_submit():
        return _group_page(group, 422, form=form)
    try:
        catalogue.update_modifier_group(group.id, **form.values(), actor=actor())
    except ServiceError as refused:
        return _group_page(group, 422, {"group": _refused(refused)}, form=form)
    flash(f"Modifier group {group.name} saved.")
    return redirect(url_for("stock.edit_modifier_group", group_id=group.id))


@bp.post("/modifier-groups/<int:group_id>/options")
def add_modifier_option(group_id: int) -> Response | Page:
    """Add an option to a modifier group."""
    group = _or_404(ModifierGroup, group_id, "modifier group")
    form = ModifierOptionForm()
    if not form.validate_on_submit():
        return _group_page(group, 422, option_form=form)
    try:
        option = catalogue.add_modifier_option(group.id, **form.values(), actor=actor())
    except ServiceError as refused:
        return _group_page(group, 422, {"options": _refused(refused)}, option_form=form)
    flash(f"Option {option.name} added.")
    return redirect(url_for("stock.edit_modifier_group", group_id=group.id))


@bp.post("/modifier-options/<int:option_id>/remove")
def remove_modifier_option(option_id: int) -> Response | Page:
    """Remove an option, unless a basket still being rung up has it chosen."""
    option = _or_404(ModifierOption, option_id, "option")
    group_id, name = option.group_id, option.name
    try:
        catalogue.remove_modifier_option(option.id, actor())
    except ServiceError as refused:
        message = _refused(refused)
        return _group_page(_or_404(ModifierGroup, group_id, "modifier group"), 422, {"options": message})
    flash(f"Option {name} removed.")
    return redirect(url_for("stock.edit_modifier_group", group_id=group_id))


from bakery.stock import label_views  # noqa: E402, F401  (routes on this blueprint)
