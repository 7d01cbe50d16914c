//! The console's words: Vietnamese labels of actions, fields and coded values. Staff work in
//! Vietnamese; the codes stay visible where a handler needs them (agency codes, tracking codes).

use crate::domain::case::ActionName;

/// What an action's button says.
pub fn action_label(a: ActionName) -> &'static str {
    use ActionName as A;
    match a {
        A::Route => "Chuyển đến cơ quan xử lý",
        A::Advise => "Tư vấn và kết thúc",
        A::Accept => "Thụ lý",
        A::Refuse => "Từ chối thụ lý",
        A::Transfer => "Chuyển cơ quan khác",
        A::AcceptTransfer => "Nhận hồ sơ được chuyển",
        A::DeclineTransfer => "Từ chối nhận hồ sơ được chuyển",
        A::ForwardToBusiness => "Chuyển yêu cầu cho doanh nghiệp",
        A::RecordNegotiationEnded => "Ghi nhận kết thúc thương lượng",
        A::RecordNegotiationResult => "Ghi nhận kết quả thương lượng",
        A::RequestMediation => "Chuyển hòa giải theo yêu cầu các bên",
        A::AppointMediator => "Chỉ định hòa giải viên",
        A::ScheduleMediationSession => "Lên lịch phiên hòa giải",
        A::RecordMediationResult => "Ghi nhận kết quả hòa giải",
        A::StartInspection => "Bắt đầu kiểm tra",
        A::RecordInspectionResult => "Ghi nhận kết quả kiểm tra",
        A::RequestInfo => "Yêu cầu bổ sung thông tin",
        A::ProvideInfo => "Ghi nhận thông tin bổ sung",
        A::Withdraw => "Ghi nhận rút yêu cầu",
        A::MarkDuplicate => "Đánh dấu trùng hồ sơ khác",
        A::Refer => "Chuyển ra ngoài hệ thống",
        A::Reopen => "Mở lại hồ sơ",
        A::Reclassify => "Phân loại lại",
        A::RecordPerformance => "Ghi nhận việc thực hiện thỏa thuận",
        A::AddNote => "Thêm ghi chú nội bộ",
        A::CorrectData => "Sửa thông tin đã ghi",
        A::Assign => "Giao hồ sơ cho cán bộ khác",
    }
}

/// The label of a body field (the last part of its path).
pub fn field_label(name: &str) -> &'static str {
    known_field_label(name).unwrap_or("Thông tin")
}

/// The label of a field the console has words for (action bodies, and what the history records
/// beside them: the internal note, the business's answer, the corrected fields).
pub fn known_field_label(name: &str) -> Option<&'static str> {
    Some(match name {
        "advice" => "Tư vấn về Tòa án / Trọng tài",
        "agency" => "Cơ quan xử lý",
        "answer" => "Nội dung tư vấn",
        "assignee_id" => "Người xử lý",
        "at" => "Thời gian bắt đầu",
        "attendees" => "Người được mời khác (mỗi dòng một e-mail)",
        "body" => "Cơ quan / tổ chức nhận",
        "business_email" => "E-mail của doanh nghiệp",
        "category" => "Lĩnh vực",
        "content" => "Nội dung thương lượng",
        "decision_date" => "Ngày quyết định",
        "decision_number" => "Số quyết định",
        "duration_minutes" => "Thời lượng (phút)",
        "ended_on" => "Ngày kết thúc",
        "explanation" => "Giải thích cho người khiếu nại",
        "failure_reason" => "Lý do không thành",
        "findings" => "Kết luận kiểm tra",
        "fine_amount_vnd" => "Số tiền phạt (đồng)",
        "ground" => "Căn cứ từ chối (Điều 58)",
        "held_at" => "Thời gian tổ chức",
        "info" => "Thông tin bổ sung",
        "interpreter" => "Người phiên dịch",
        "issuing_body" => "Cơ quan ban hành",
        "kind" => "Loại hồ sơ",
        "mediator" => "Hòa giải viên",
        "mediator_id" => "Hòa giải viên",
        "message" => "Lời nhắn cho doanh nghiệp",
        "of_case_id" => "Mã hồ sơ gốc (bị trùng)",
        "other_terms" => "Nội dung khác",
        "parties" => "Các bên tham gia",
        "parties_views" => "Ý kiến của các bên",
        "party_language" => "Ngôn ngữ của bên là người dân tộc thiểu số",
        "performed" => "Đã thực hiện thỏa thuận",
        "recovered_vnd" => "Số tiền người tiêu dùng đã nhận lại (đồng, nếu có)",
        "text" => "Ghi chú",
        "consumer_phone" => "Số điện thoại đúng của người tiêu dùng",
        "consumer_email" => "E-mail đúng của người tiêu dùng",
        "business_name" => "Tên đúng của doanh nghiệp",
        "business_tax_code" => "Mã số thuế đúng",
        "product" => "Sản phẩm, dịch vụ (tên đúng)",
        "performance_deadline" => "Thời hạn thực hiện thỏa thuận",
        "place" => "Địa điểm",
        "plan" => "Kế hoạch kiểm tra",
        "reason" => "Lý do",
        "record" => "Biên bản",
        "requested" => "Thông tin cần bổ sung",
        "requested_by" => "Bên yêu cầu",
        "result" => "Kết quả",
        "sanction" => "Quyết định xử phạt",
        "subject" => "Nội dung hòa giải",
        "success" => "Hòa giải thành",
        "to_agency" => "Chuyển đến cơ quan",
        "unit" => "Đơn vị (xã/phường, chi hội; để trống: theo gợi ý)",
        "violation" => "Hành vi vi phạm",
        "violation_found" => "Có vi phạm",
        "note" => "Ghi chú nội bộ",
        "decision" => "Trả lời của doanh nghiệp",
        "proposal" => "Phương án doanh nghiệp đề xuất",
        "fields" => "Các thông tin đã sửa",
        "comment" => "Ý kiến",
        "score" => "Điểm đánh giá (1–5)",
        "resolved" => "Đã được giải quyết",
        _ => return None,
    })
}

/// The label of a coded value in a select.
pub fn value_label(v: &str) -> &str {
    match v {
        "settled" => "Thành (đã thỏa thuận)",
        "failed" => "Không thành",
        "no_answer" => "Doanh nghiệp không trả lời",
        "consumer" => "Người tiêu dùng",
        "business" => "Doanh nghiệp",
        "both" => "Cả hai bên",
        "consultation" => "Tư vấn",
        "dispute" => "Tranh chấp",
        "violation_report" => "Phản ánh vi phạm",
        "minor_or_incapacitated_without_representative" => {
            "Người chưa thành niên / mất năng lực không có người đại diện"
        }
        "not_consumer_or_representative" => "Không phải người tiêu dùng hoặc người đại diện",
        "insufficient_information" => "Không đủ thông tin",
        "outside_remit" => "Không thuộc thẩm quyền",
        "already_resolved" => "Đã được giải quyết",
        "accept" => "Đồng ý thương lượng",
        "refuse" => "Từ chối",
        "propose" => "Đề xuất phương án khác",
        "elderly" => "người cao tuổi",
        "disability" => "người khuyết tật",
        "child" => "trẻ em",
        "ethnic_minority_remote" => "người dân tộc thiểu số; người sống ở miền núi, hải đảo, vùng khó khăn",
        "pregnant_or_infant" => "phụ nữ mang thai, nuôi con nhỏ",
        "serious_illness" => "người mắc bệnh hiểm nghèo",
        "poor_household" => "hộ nghèo",
        "advised" => "đã tư vấn",
        "case_opened" => "đã mở hồ sơ",
        "out_of_scope" => "không thuộc phạm vi",
        "callback" => "hẹn gọi lại",
        other => other,
    }
}

/// A role in Vietnamese.
pub fn role_label(role: &str) -> &'static str {
    match role {
        "operator" => "Tổng đài viên",
        "handler" => "Cán bộ xử lý",
        "supervisor" => "Lãnh đạo / giám sát",
        "coordinator" => "Điều phối tỉnh",
        "mediator" => "Hòa giải viên",
        "admin" => "Quản trị",
        "citizen" => "Người tiêu dùng",
        "business" => "Doanh nghiệp",
        "system" => "Hệ thống",
        _ => "Khác",
    }
}
