#!/usr/bin/env python3
"""Writes the batch fixtures in tests/batch/ from rules/demo's example submissions, the way
finance offices' files look. Run from the repository root: python3 tests/batch/make_fixtures.py

- demo-bom.csv     UTF-8 with BOM (Excel's "CSV UTF-8"); Chinese labels with units as headers,
                   three experts' grades in three columns, 不适用 and 备注 columns.
- demo-gbk.csv     GBK (Chinese Excel's plain "CSV"); a title row above the header; rows with
                   bad values in the middle; a row with a required value missing.
- demo.jsonl       JSON Lines submissions with a broken line in the middle.
- demo-libreoffice.csv → demo-libreoffice.xlsx, converted by LibreOffice Calc (a real
                   spreadsheet program) with special-number detection on, so "99.5%" becomes a
                   percent-formatted 0.995 and dates become date cells:
    soffice --headless --infilter="CSV:44,34,76,1,,2052,false,true" \
            --convert-to xlsx --outdir tests/batch tests/batch/demo-libreoffice.csv
"""
import csv
import io
import json

names = ["strong", "average", "weak"]
subs = [json.load(open(f"rules/demo/submissions/{n}.json", encoding="utf-8")) for n in names]
spec_inputs = [
    ("approved_before_build", "先批后建"),
    ("budget_requested", "申报预算（万元）"),
    ("budget_approved", "审定预算(万元)"),
    ("funds_arrived", "实际到位资金"),
    ("funds_spent", "实际支出资金"),
    ("compliance_issues", "资金使用违规问题数"),
    ("procurement_irregular", "采购程序不规范"),
    ("functions_contracted", "合同约定功能点数"),
    ("functions_delivered", "实际交付功能点数"),
    ("availability", "系统可用率"),
    ("security_level", "等保测评结论"),
    ("planned_go_live", "计划上线日期"),
    ("actual_go_live", "实际上线日期"),
    ("duplicate_rate", "功能重合率"),
    ("active_users", "active_users"),
    ("target_users", "target_users"),
    ("satisfaction_rate", "服务对象满意度"),
]


def cell(v):
    if isinstance(v, bool):
        return "是" if v else "否"
    return "" if v is None else str(v)


def rows(percent_signs=False):
    header = ["序号", "项目编号", "项目名称",
              "立项依据充分性（专家评级）#1", "立项依据充分性（专家评级）#2", "立项依据充分性（专家评级）#3"]
    header += [h for _, h in spec_inputs] + ["不适用：P2.1", "备注:O3.1"]
    out = [header]
    for i, s in enumerate(subs):
        v = s["values"]
        grades = list(v.get("approval_basis", []))[:3]
        grades += [""] * (3 - len(grades))
        if len(v.get("approval_basis", [])) > 3:
            # strong.json has five experts: put them all in the first cell, as some offices do.
            grades = ["、".join(v["approval_basis"]), "", ""]
        row = [str(i + 1), s["project"]["id"], s["project"]["name"]] + grades
        for key, _ in spec_inputs:
            value = cell(v.get(key))
            if percent_signs and key in ("availability", "duplicate_rate") and value and not value.endswith("%"):
                value += "%"
            row.append(value)
        row.append("是" if "P2.1" in s.get("not_applicable", []) else "")
        row.append(s.get("notes", {}).get("O3.1", ""))
        out.append(row)
    return out


def write(path, table, encoding):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(table)
    with open(path, "wb") as f:
        f.write(buf.getvalue().encode(encoding))


write("tests/batch/demo-bom.csv", rows(), "utf-8-sig")

gbk = rows()
header = gbk[0]
col = {h: i for i, h in enumerate(header)}
bad_value = list(gbk[2]); bad_value[1] = "BAD-VALUE"; bad_value[col["实际支出资金"]] = "很多"
bad_value[col["立项依据充分性（专家评级）#1"]] = "甲"
bad_mark = list(gbk[2]); bad_mark[1] = "BAD-MARK"; bad_mark[col["不适用：P2.1"]] = "也许"
extra = list(gbk[2]); extra[1] = "EXTRA-CELL"; extra.append("多出的内容")
missing = list(gbk[2]); missing[1] = "MISSING"; missing[col["申报预算（万元）"]] = ""
gbk = [["2024 年度智慧城市项目绩效评价汇总表（示例）"]] + gbk[:2] + [bad_value, bad_mark] + gbk[2:3] + [extra, missing] + gbk[3:]
write("tests/batch/demo-gbk.csv", gbk, "gbk")

with open("tests/batch/demo.jsonl", "w", encoding="utf-8") as f:
    for i, s in enumerate(subs):
        f.write(json.dumps(s, ensure_ascii=False) + "\n")
        if i == 0:
            f.write("\n")
            f.write('{"values": {"budget_requested": 100}, "oops": true}\n')

write("tests/batch/demo-libreoffice.csv", rows(percent_signs=True), "utf-8")
