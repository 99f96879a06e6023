"""What the knowledge base covers, told to users in /start, /help and the console."""

from __future__ import annotations

from knowledge.base import KnowledgeBase
from knowledge.phrasing import join_vn, place_label


def coverage_text(kb: KnowledgeBase) -> str:
    """Districts with their years, the topics, and that the units are the former ones."""
    lines = ["Số liệu hiện có (theo báo cáo của các quận trước khi sắp xếp đơn vị hành chính "
             "ngày 01/07/2025):"]
    for district in kb.places:
        years = join_vn(map(str, kb.years_of(district)))
        lines.append(f"• {place_label(district)}: năm {years}")
    lines.append(f"Nội dung: {join_vn(t.lower() for t in kb.topics_of())}.")
    lines.append("Tôi hiểu cả tên phường, xã mới và cho biết chúng được lập từ quận, huyện cũ nào.")
    return "\n".join(lines)
