"""Reads of the roll of honour: the public page (cached, a constant number of queries) and staff lists."""

import hashlib
import json
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from council.models import Area, AuditLogEntry
from nominations.selectors import campaigns_with_categories
from recognition.honours import search
from recognition.honours.models import HonourEntry, ListingStatus, RollVersion
from recognition.stories import selectors as stories

PER_PAGE = 20
# Cached pages are kept under the roll's version, so a change never serves an old one;
# the time limit only frees memory (and picks up a renamed ward or campaign).
PAGE_CACHE_SECONDS = 600
OPTIONS_CACHE_SECONDS = 60


@dataclass(frozen=True)
class RollState:
    version: int = 0
    listed_count: int = 0


def roll_state() -> RollState:
    """The roll's version and size now: read from the database on every request (one small query).

    Plain SQL: the same query through the ORM costs more than running it does.
    """
    table = RollVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number, listed_count FROM {table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return RollState(*row) if row else RollState()


def roll_version() -> int:
    return roll_state().version


@dataclass(frozen=True)
class HeroFilters:
    q: str = ""
    campaign: int | None = None
    category: int | None = None
    area: int | None = None

    @property
    def terms(self) -> list[str]:
        return search.query_terms(self.q)

    @property
    def whole_roll(self) -> bool:
        return not (self.terms or self.campaign or self.category or self.area)

    def cache_part(self) -> str:
        plain = json.dumps(
            [self.terms, self.campaign, self.category, self.area], separators=(",", ":")
        )
        return hashlib.sha256(plain.encode()).hexdigest()[:32]


@dataclass
class HeroPage:
    """One page of the public roll, as plain values that can be cached."""

    number: int
    count: int
    num_pages: int
    rows: list[dict] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PER_PAGE + 1 if self.count else 0

    @property
    def end_index(self) -> int:
        return min(self.number * PER_PAGE, self.count)


def heroes_listed(filters: HeroFilters) -> QuerySet[HonourEntry]:
    """Listed entries that match the filters, A to Z by the name as shown."""
    queryset = HonourEntry.objects.filter(listed=True)
    if filters.campaign:
        queryset = queryset.filter(campaign_id=filters.campaign)
    if filters.category:
        queryset = queryset.filter(category_id=filters.category)
    if filters.area:
        queryset = queryset.filter(area_id=filters.area)
    return search.matching(queryset, filters.terms).order_by("sort_key", "id")


def _page_rows(queryset: QuerySet[HonourEntry], offset: int) -> list[dict]:
    fields = ["id", "nominee_id", "display_name", "anonymous", "citation"]
    fields += ["category__name", "campaign__name", "area__name"]
    return [
        {
            "id": row["id"],
            "nominee_id": row["nominee_id"],
            "name": row["display_name"],
            "anonymous": row["anonymous"],
            "citation": row["citation"],
            "category": row["category__name"] or "",
            "campaign": row["campaign__name"] or "",
            "ward": row["area__name"] or "",
        }
        for row in queryset.values(*fields)[offset : offset + PER_PAGE]
    ]


def heroes_page(*, filters: HeroFilters, page: int, state: RollState) -> HeroPage:
    """One page of the public roll: from the cache while nothing has changed, else the page's
    query and, for a search or filter, a count (the whole roll's size is kept with its version).

    Raises Http404 for a page beyond the last, so every page has one stable address.
    """
    key = f"honours:page:v{state.version}:{filters.cache_part()}:{page}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    if page < 1:
        raise Http404("No such page")
    queryset = heroes_listed(filters)
    if filters.whole_roll:
        count = state.listed_count
    else:
        # Counted on its own: counting alongside the page would sort every match, not 20.
        count_key = f"honours:count:v{state.version}:{filters.cache_part()}"
        count = cache.get(count_key)
        if count is None:
            count = queryset.count()
            cache.set(count_key, count, PAGE_CACHE_SECONDS)
    num_pages = max(1, -(-count // PER_PAGE))
    if page > num_pages:
        raise Http404("No such page")
    rows = _page_rows(queryset, (page - 1) * PER_PAGE) if count else []
    result = HeroPage(number=page, count=count, num_pages=num_pages, rows=rows)
    cache.set(key, result, PAGE_CACHE_SECONDS)
    return result


@dataclass(frozen=True)
class FilterOptions:
    campaigns: list[tuple[int, str]]
    # (campaign name, [(category id, category name)]) for a grouped list.
    categories: list[tuple[str, list[tuple[int, str]]]]
    wards: list[tuple[int, str]]

    @property
    def signature(self) -> str:
        """Changes whenever the lists do: part of the key of the search form's cached HTML."""
        plain = json.dumps([self.campaigns, self.categories, self.wards])
        return hashlib.sha256(plain.encode()).hexdigest()[:16]


def filter_options() -> FilterOptions:
    """The campaigns, categories and wards to filter by, cached for a minute."""
    key = "honours:filter-options:v1"
    options = cache.get(key)
    if options is None:
        campaigns = campaigns_with_categories()
        options = FilterOptions(
            campaigns=[(campaign.pk, campaign.name) for campaign in campaigns],
            categories=[
                (
                    campaign.name,
                    [(category.pk, category.name) for category in campaign.categories.all()],
                )
                for campaign in campaigns
                if campaign.categories.all()
            ],
            wards=[
                (area.pk, area.name if area.active else f"{area.name} (former ward)")
                for area in Area.objects.order_by("-active", "name")
            ],
        )
        cache.set(key, options, OPTIONS_CACHE_SECONDS)
    return options


def story_links(nominee_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Nominee id → (title, address) of their published story, where consent allows one.

    The stories app decides; its answer is kept while its public version stands (it changes
    with every story, consent or nominee change), and never longer than its own pages are.
    """
    ids = sorted(nominee_ids)
    if not ids:
        return {}
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]
    key = f"honours:story-links:{stories.public_version()}:{digest}"
    links = cache.get(key)
    if links is None:
        links = stories.story_links(ids)
        cache.set(key, links, stories.PAGE_CACHE_SECONDS)
    return links


# --- Staff --------------------------------------------------------------------------------

CITATION_STATES = {
    "needed": Q(citation=""),
    "awaiting": ~Q(citation="") & Q(citation_approved_at__isnull=True),
    "approved": ~Q(citation="") & Q(citation_approved_at__isnull=False),
}
# Entries staff work on: a nominee approved and not merged away.
ON_ROLL_PATH = ~Q(status__in=[ListingStatus.NOT_APPROVED, ListingStatus.MERGED])


def entries_for_staff(*, filters: dict) -> QuerySet[HonourEntry]:
    """Entries for the staff list, by nominee name, with everything the table shows."""
    queryset = HonourEntry.objects.select_related(
        "nominee", "campaign", "category", "area", "citation_approved_by"
    )
    if filters.get("citation"):
        queryset = queryset.filter(CITATION_STATES[filters["citation"]])
    listing = filters.get("listing")
    if listing == "listed":
        queryset = queryset.filter(listed=True)
    elif listing == "not_listed":
        queryset = queryset.filter(listed=False).filter(ON_ROLL_PATH)
    elif listing == "removed":
        queryset = queryset.exclude(ON_ROLL_PATH)
    elif listing:
        queryset = queryset.filter(status=listing)
    else:
        queryset = queryset.filter(ON_ROLL_PATH)
    if filters.get("campaign"):
        queryset = queryset.filter(campaign_id=filters["campaign"])
    if filters.get("area"):
        queryset = queryset.filter(area=filters["area"])
    if filters.get("q"):
        words = filters["q"].strip()
        queryset = queryset.filter(Q(nominee__name__icontains=words) | Q(citation__icontains=words))
    return queryset.order_by("nominee__name", "pk")


def staff_counts() -> dict[str, int]:
    """How many entries are in each state that asks something of staff."""
    return HonourEntry.objects.filter(ON_ROLL_PATH).aggregate(
        listed=Count("pk", filter=Q(listed=True)),
        needs_citation=Count("pk", filter=Q(status=ListingStatus.NEEDS_CITATION)),
        awaiting_approval=Count("pk", filter=Q(status=ListingStatus.AWAITING_APPROVAL)),
        names_them=Count("pk", filter=Q(status=ListingStatus.CITATION_NAMES_THEM)),
        waiting_for_consent=Count("pk", filter=Q(status=ListingStatus.NO_CONSENT)),
        declined=Count("pk", filter=Q(status=ListingStatus.DECLINED)),
    )


def entry_for_staff(pk: int) -> HonourEntry:
    entry = (
        HonourEntry.objects.select_related(
            "nominee",
            "campaign",
            "category",
            "area",
            "citation_updated_by",
            "citation_approved_by",
        )
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404("No such entry")
    return entry


def entry_history(entry: HonourEntry) -> QuerySet[AuditLogEntry]:
    """Every recorded change to the entry, newest first."""
    return AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(HonourEntry), object_id=str(entry.pk)
    ).order_by("-created_at", "-pk")
