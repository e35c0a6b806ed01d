"""The zone's first indicator tree (数字经济评价指标体系, 第 1 版), as published by the demo."""

DEFAULT_TREE = [
    {"code": "scale", "name": "产业规模", "weight": 0.3, "indicators": [
        {"code": "revenue", "name": "数字经济营业收入", "unit": "亿元", "weight": 0.4, "source": "company"},
        {"code": "revenue_growth", "name": "营业收入增速", "unit": "%", "weight": 0.3, "source": "company"},
        {"code": "companies", "name": "入驻企业数", "unit": "家", "weight": 0.15, "source": "platform",
         "auto": "companies"},
        {"code": "above_scale", "name": "规上企业数", "unit": "家", "weight": 0.15, "source": "platform",
         "auto": "above_scale"},
    ]},
    {"code": "innovation", "name": "创新能力", "weight": 0.25, "indicators": [
        {"code": "rd_intensity", "name": "研发投入强度", "unit": "%", "weight": 0.4, "source": "company"},
        {"code": "patents", "name": "发明专利授权量", "unit": "件", "weight": 0.35, "source": "unit"},
        {"code": "specialized", "name": "专精特新企业数", "unit": "家", "weight": 0.25, "source": "platform",
         "auto": "specialized"},
    ]},
    {"code": "infrastructure", "name": "数字基础设施", "weight": 0.2, "indicators": [
        {"code": "gigabit", "name": "千兆光网覆盖率", "unit": "%", "weight": 0.4, "source": "unit"},
        {"code": "base_5g", "name": "每平方公里5G基站数", "unit": "个", "weight": 0.3, "source": "unit"},
        {"code": "compute", "name": "算力规模", "unit": "PFlops", "weight": 0.3, "source": "unit"},
    ]},
    {"code": "business", "name": "营商环境", "weight": 0.25, "indicators": [
        {"code": "response_rate", "name": "12345响应率", "unit": "%", "weight": 0.25, "source": "platform",
         "auto": "response_rate"},
        {"code": "satisfaction_rate", "name": "12345满意率", "unit": "%", "weight": 0.25, "source": "platform",
         "auto": "satisfaction_rate"},
        {"code": "demand_resolution", "name": "企业诉求解决率", "unit": "%", "weight": 0.25, "source": "platform",
         "auto": "demand_resolution"},
        {"code": "approval_days", "name": "项目审批平均用时", "unit": "工作日", "direction": "lower", "weight": 0.25,
         "source": "unit"},
    ]},
]
