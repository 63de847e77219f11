"""Reading the planning board as staff see it: its header, its row groups (pending lanes, then each room's
lanes) and its footer, each cell with its span, classes, text, link and tooltip."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class BoardCell:
    tag: str
    span: int
    classes: set[str]
    text: str = ""
    href: str | None = None
    title: str | None = None
    parts: list[str] = field(default_factory=list)


@dataclass
class Group:
    """A room's row group (or the pending requests'): its header and its lanes of cells, header excluded."""

    header: str
    lanes: list[list[BoardCell]]

    def bars(self) -> list[BoardCell]:
        return [cell for lane in self.lanes for cell in lane if "bar" in cell.classes]


class Board(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.caption = ""
        self.columns: list[BoardCell] = []
        self.groups: list[Group] = []
        self.footer: dict[str, list[BoardCell]] = {}
        self.section: str | None = None
        self.row: list[BoardCell] | None = None
        self.cell: BoardCell | None = None
        self.in_caption = False
        self.in_board = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "planning" in (attrs.get("class") or ""):
            self.in_board = True
        if not self.in_board:
            return
        if tag == "caption":
            self.in_caption = True
        elif tag in ("thead", "tbody", "tfoot"):
            self.section = tag
            if tag == "tbody":
                self.groups.append(Group("", []))
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = BoardCell(tag, int(attrs.get("colspan", 1)), set((attrs.get("class") or "").split()))
        elif tag == "a" and self.cell is not None:
            self.cell.href, self.cell.title = attrs.get("href"), attrs.get("title")

    def handle_endtag(self, tag):
        if not self.in_board:
            return
        if tag == "table":
            self.in_board = False
        elif tag == "caption":
            self.in_caption = False
        elif tag in ("td", "th") and self.cell is not None:
            self.cell.text = " ".join("".join(self.cell.parts).replace("\xa0", " ").split())
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.section == "thead":
                self.columns = self.row[1:]
            elif self.section == "tbody":
                group = self.groups[-1]
                if self.row and self.row[0].tag == "th":
                    group.header = self.row.pop(0).text
                group.lanes.append(self.row)
            elif self.section == "tfoot":
                self.footer[self.row[0].text] = self.row[1:]
            self.row = None

    def handle_data(self, data):
        if self.in_caption:
            self.caption += data
        elif self.cell is not None:
            self.cell.parts.append(data)

    def group(self, starting: str) -> Group:
        [found] = [g for g in self.groups if g.header.startswith(starting)]
        return found

    @property
    def pending(self) -> Group:
        return self.groups[0]


def nights_before(lane: list[BoardCell], cell: BoardCell) -> int:
    """How many nights of the lane come before this cell: the column it starts in."""
    return sum(other.span for other in lane[: lane.index(cell)])
