"""Realistic filing bodies for the end-to-end tests."""

from __future__ import annotations

import hashlib

from shared.contracts.identifiers import id_check_char


def id_number(address: str = "330421", born: str = "19880315", seq: str = "214") -> str:
    return address + born + seq + id_check_char(address + born + seq)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def filing_body(court: str = "qingpu", case_type: str = "civil", plaintiff_id: str | None = None) -> dict:
    return {
        "court_region": court,
        "case_type": case_type,
        "parties": [
            {"kind": "person", "role": "plaintiff", "name": "张三", "id_number": plaintiff_id or id_number()},
            {
                "kind": "organisation",
                "role": "defendant",
                "name": "上海青浦某贸易有限公司",
                "credit_code": "91350100M000100Y43",
            },
        ],
        "claim_summary": "买卖合同纠纷，请求支付货款",
        "claim_amount": "128000.00",
        "documents": [{"name": "起诉状.pdf", "sha256": sha("complaint")}],
    }
