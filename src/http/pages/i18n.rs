//! The language of the citizen pages (ADR 0027): Vietnamese by default, English where the
//! user asks for it — `?lang=en` (or `?lang=vi`) wins, else the browser's `Accept-Language`
//! (English only when it ranks `en` above `vi`). A choice made on the page is carried as
//! `lang=` on every link, form action and redirect of the flow (no cookie, no JavaScript).
//!
//! This module is the pages' one message catalogue: every fixed string of the templates, in
//! both languages, side by side. Validation messages come from [`crate::error::AppError`]'s
//! English/Vietnamese pair (the same as the problem documents); stage and deadline labels from
//! the domain's `label_vi`/`label_en` pairs.

use actix_web::HttpRequest;

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    pub fn text(self) -> &'static Text {
        match self {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    /// One of a Vietnamese/English pair.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// `Accept-Language`: English only when the browser ranks `en` (or `en-*`) above `vi`;
    /// anything else (no header, neither language, a tie) is Vietnamese.
    pub fn from_accept_language(header: &str) -> Lang {
        let (mut en, mut vi) = (0.0f32, 0.0f32);
        for part in header.split(',') {
            let mut bits = part.split(';');
            let tag = bits.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = bits
                .filter_map(|b| b.trim().strip_prefix("q="))
                .find_map(|v| v.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or_default();
            match primary {
                "en" => en = en.max(q),
                "vi" => vi = vi.max(q),
                _ => {}
            }
        }
        if en > vi {
            Lang::En
        } else {
            Lang::Vi
        }
    }
}

/// The language of a request and whether the user chose it on the page (`?lang=`).
pub fn choose(req: &HttpRequest) -> (Lang, bool) {
    let asked = query_pairs(req.query_string())
        .into_iter()
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Lang::parse(&v));
    if let Some(l) = asked {
        return (l, true);
    }
    let header = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    (Lang::from_accept_language(header), false)
}

fn query_pairs(q: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(q).unwrap_or_default()
}

/// What every page needs of its language: the catalogue, the `lang=` to carry on links, and
/// the link to the same page in the other language.
pub struct Ui {
    pub lang: Lang,
    /// Chosen on the page: carried on every link, form action and redirect.
    explicit: bool,
    pub t: &'static Text,
    /// The same page (a GET) in the other language.
    pub switch_href: String,
}

impl Ui {
    /// For a GET page: the switch keeps the page's own query (without `lang`).
    pub fn new(req: &HttpRequest) -> Ui {
        let keep: Vec<(String, String)> = query_pairs(req.query_string())
            .into_iter()
            .filter(|(k, _)| k != "lang")
            .collect();
        Ui::with_switch(req, req.path(), keep)
    }

    /// For a page answering a POST: the switch opens `path` (a GET) in the other language.
    pub fn for_path(req: &HttpRequest, path: &str) -> Ui {
        Ui::with_switch(req, path, Vec::new())
    }

    fn with_switch(req: &HttpRequest, path: &str, mut keep: Vec<(String, String)>) -> Ui {
        let (lang, explicit) = choose(req);
        keep.push(("lang".into(), lang.other().code().into()));
        let query = serde_urlencoded::to_string(&keep).unwrap_or_default();
        Ui {
            lang,
            explicit,
            t: lang.text(),
            switch_href: format!("{path}?{query}"),
        }
    }

    /// Vietnamese, as chosen by default (tests, fallbacks).
    pub fn vi() -> Ui {
        Ui {
            lang: Lang::Vi,
            explicit: false,
            t: &VI,
            switch_href: "/?lang=en".into(),
        }
    }

    /// An internal link (path with or without a query) carrying the choice, when one was made.
    pub fn href(&self, path: &str) -> String {
        if !self.explicit {
            return path.to_owned();
        }
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{path}{sep}lang={}", self.lang.code())
    }

    pub fn pick<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(vi, en)
    }

    /// A file size as people of the language write it ("4,5 MB" / "4.5 MB").
    pub fn size(&self, bytes: i64) -> String {
        let vi = crate::service::citizen_files::size_vi(bytes);
        match self.lang {
            Lang::Vi => vi,
            Lang::En => vi.replace(',', "."),
        }
    }
}

/// A sentence from a message fragment of an [`crate::error::AppError`] ("trường này là bắt
/// buộc" → "Trường này là bắt buộc.").
pub fn sentence(fragment: &str) -> String {
    let fragment = fragment.trim();
    let mut chars = fragment.chars();
    match chars.next() {
        Some(first) => {
            let end = if fragment.ends_with('.') { "" } else { "." };
            format!("{}{}{end}", first.to_uppercase(), chars.as_str())
        }
        None => String::new(),
    }
}

/// Every fixed string of the citizen pages, in one language.
pub struct Text {
    pub lang: Lang,
    /// The other language's name, in that language (the switch).
    pub other_name: &'static str,
    pub other_code: &'static str,
    pub switch_hint: &'static str,
    // The frame of every page.
    pub site_suffix: &'static str,
    pub skip: &'static str,
    pub site_name: &'static str,
    pub site_tag: &'static str,
    pub footer_hotline: &'static str,
    pub free: &'static str,
    pub nav_home: &'static str,
    pub nav_file: &'static str,
    pub nav_track: &'static str,
    pub back_home: &'static str,
    pub error_prefix: &'static str,
    pub required: &'static str,
    pub optional: &'static str,
    // Home.
    pub home_title: &'static str,
    pub home_h1: &'static str,
    pub home_lead: &'static str,
    pub home_file_online: &'static str,
    pub home_ways: &'static str,
    pub home_online: (&'static str, &'static str),
    pub home_phone: &'static str,
    pub home_in_person: (&'static str, &'static str),
    pub home_procedure: &'static str,
    pub home_steps: [(&'static str, &'static str); 4],
    pub home_court: &'static str,
    pub home_agencies: &'static str,
    pub phone: &'static str,
    pub address: &'static str,
    // The complaint form.
    pub form_title: &'static str,
    pub form_h1: &'static str,
    pub form_intro: &'static str,
    pub form_kind_legend: &'static str,
    pub form_kind_complaint: (&'static str, &'static str),
    pub form_kind_violation: (&'static str, &'static str),
    pub form_reporter_legend: &'static str,
    pub form_reporter: [&'static str; 3],
    pub form_about: &'static str,
    pub form_description: (&'static str, &'static str),
    pub form_request: (&'static str, &'static str),
    pub form_product: (&'static str, &'static str),
    pub form_amount: (&'static str, &'static str),
    pub form_date: &'static str,
    pub form_evidence: &'static str,
    pub form_evidence_examples: &'static str,
    pub form_business: &'static str,
    pub form_business_name: &'static str,
    pub form_business_link: &'static str,
    pub form_you: &'static str,
    pub form_name: &'static str,
    pub form_phone: (&'static str, &'static str),
    pub form_email: (&'static str, &'static str),
    pub form_province: &'static str,
    pub form_commune: &'static str,
    pub form_vulnerable: (&'static str, &'static str),
    pub form_groups: [&'static str; 7],
    pub form_consent: &'static str,
    pub form_submit: &'static str,
    // The status page and the receipt.
    pub case: &'static str,
    pub receipt_h1: &'static str,
    pub receipt_code: &'static str,
    pub receipt_keep: &'static str,
    pub receipt_emailed: &'static str,
    pub receipt_not_emailed: &'static str,
    pub receipt_next: &'static str,
    pub receipt_step1: &'static str,
    pub receipt_step3: &'static str,
    pub receipt_step3_mail: &'static str,
    pub ten_working_days: &'static str,
    pub status_h2: &'static str,
    pub agency: &'static str,
    pub agency_phone: &'static str,
    pub agency_address: &'static str,
    pub received_on: &'static str,
    pub updated_on: &'static str,
    pub outcome: &'static str,
    pub your_files: &'static str,
    pub deadlines: &'static str,
    pub deadline_what: &'static str,
    pub deadline_when: &'static str,
    pub working_days: &'static str,
    pub messages: &'static str,
    pub history: &'static str,
    pub history_date: &'static str,
    pub history_stage: &'static str,
    pub info_h2: &'static str,
    pub info_asked: &'static str,
    pub info_asked_by_mail: &'static str,
    /// How to answer the request without the private link (the lookup by code and phone).
    pub info_without_link: &'static str,
    pub info_paused: &'static str,
    pub info_due: &'static str,
    pub info_label: (&'static str, &'static str),
    /// Information nobody asked for (any open stage).
    pub info_more_h2: &'static str,
    pub info_more_intro: &'static str,
    pub info_more_label: (&'static str, &'static str),
    pub info_files: &'static str,
    pub info_submit: &'static str,
    pub settlement_h2: &'static str,
    pub settlement_legend: &'static str,
    pub settlement_yes: &'static str,
    pub settlement_no: &'static str,
    pub settlement_note: &'static str,
    pub settlement_send: &'static str,
    pub settlement_confirm: &'static str,
    pub rate_h2: &'static str,
    pub rate_intro: &'static str,
    pub rate_resolved_legend: &'static str,
    pub rate_resolved_yes: &'static str,
    pub rate_resolved_no: &'static str,
    pub rate_score_legend: &'static str,
    pub rate_scores: [&'static str; 5],
    pub rate_comment: &'static str,
    pub rate_submit: &'static str,
    pub withdraw_h2: &'static str,
    pub withdraw_summary: &'static str,
    pub withdraw_reason: &'static str,
    pub withdraw_after: &'static str,
    pub withdraw_submit: &'static str,
    pub notice_withdrawn: &'static str,
    pub notice_info: &'static str,
    pub notice_rated: &'static str,
    pub notice_settled: &'static str,
    pub notice_not_settled: &'static str,
    // The lookup by code.
    pub track_title: &'static str,
    pub track_failed: &'static str,
    pub track_intro: &'static str,
    pub track_code: &'static str,
    pub track_code_hint: &'static str,
    pub track_digits: &'static str,
    pub track_submit: &'static str,
    pub track_bad_input: &'static str,
    pub track_not_found: &'static str,
    // Error pages.
    pub err_case_not_found: (&'static str, &'static str),
    pub err_rate_limited: &'static str,
    pub err_not_sent: &'static str,
    pub err_go_back: &'static str,
    pub err_cannot: &'static str,
    pub err_changed: &'static str,
    pub err_form_expired: &'static str,
    pub err_too_large: (&'static str, &'static str),
    pub err_busy: (&'static str, &'static str),
    pub err_other: (&'static str, &'static str),
    pub link_gone: (&'static str, &'static str),
    pub link_gone_next: &'static str,
    pub page_not_found: (&'static str, &'static str),
    pub render_failed: &'static str,
    // The knowledge base (hỏi đáp).
    pub nav_kb: &'static str,
    pub home_kb: (&'static str, &'static str),
    pub kb_title: &'static str,
    pub kb_lead: &'static str,
    pub kb_search: (&'static str, &'static str),
    pub kb_search_button: &'static str,
    pub kb_category: &'static str,
    pub kb_all_categories: &'static str,
    pub kb_none: &'static str,
    pub kb_empty: &'static str,
    pub kb_results: &'static str,
    pub kb_legal: &'static str,
    pub kb_updated: &'static str,
    pub kb_back: &'static str,
    pub kb_more_help: &'static str,
    pub kb_in_vietnamese: &'static str,
    // The public violator list and the warnings (ADR 0032).
    pub nav_violators: &'static str,
    pub nav_warnings: &'static str,
    pub home_public: (&'static str, &'static str),
    pub violators_title: &'static str,
    pub violators_none: &'static str,
    pub v_address: &'static str,
    pub v_violation: &'static str,
    pub v_place: &'static str,
    pub v_decision: &'static str,
    pub v_issued_by: &'static str,
    pub v_until: &'static str,
    pub warnings_title: &'static str,
    pub warnings_intro: &'static str,
    pub warnings_none: &'static str,
    pub w_business: &'static str,
    pub w_product: &'static str,
    pub w_period: &'static str,
    pub feed_link: &'static str,
}

impl Text {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    pub fn fix_items(&self, n: usize) -> String {
        match (self.en(), n) {
            (false, _) => format!("Vui lòng sửa {n} mục dưới đây"),
            (true, 1) => "There is a problem: fix 1 item below".into(),
            (true, _) => format!("There is a problem: fix the {n} items below"),
        }
    }

    /// The error summary of the other forms behind a private link (settlement, rating,
    /// withdrawal).
    pub fn form_fix_items(&self, n: usize) -> String {
        match (self.en(), n) {
            (false, _) => format!("Chưa gửi được: vui lòng sửa {n} mục"),
            (true, 1) => "Not sent: fix 1 item".into(),
            (true, _) => format!("Not sent: fix {n} items"),
        }
    }

    pub fn info_fix_items(&self, n: usize) -> String {
        match (self.en(), n) {
            (false, _) => format!("Chưa gửi được thông tin bổ sung: vui lòng sửa {n} mục"),
            (true, 1) => "The information was not sent: fix 1 item".into(),
            (true, _) => format!("The information was not sent: fix {n} items"),
        }
    }

    pub fn file_limits(&self, max_files: impl std::fmt::Display, max_size: &str) -> String {
        match self.en() {
            false => format!("Ảnh, PDF, Word, Excel hoặc tệp ghi âm; tối đa {max_files} tệp, mỗi tệp không quá {max_size}. Không bắt buộc."),
            true => format!("Photos, PDF, Word, Excel or sound recordings; up to {max_files} files, each no larger than {max_size}. Optional."),
        }
    }

    pub fn form_files_dropped(&self, n: impl std::fmt::Display) -> String {
        match self.en() {
            false => format!(
                "Biểu mẫu chưa gửi được nên {n} tệp quý vị đã chọn chưa được lưu. Hãy chọn lại tệp trước khi gửi."
            ),
            true => format!(
                "The form was not sent, so the {n} file(s) you chose were not saved. Choose them again before sending."
            ),
        }
    }

    pub fn info_files_dropped(&self, n: impl std::fmt::Display) -> String {
        match self.en() {
            false => format!("{n} tệp quý vị đã chọn chưa được lưu. Hãy chọn lại tệp trước khi gửi."),
            true => format!("The {n} file(s) you chose were not saved. Choose them again before sending."),
        }
    }

    pub fn reply_by(&self, date: &str) -> String {
        match self.en() {
            false => {
                format!("Chậm nhất ngày {date}, cơ quan trả lời quý vị việc thụ lý hoặc hướng dẫn nơi giải quyết.")
            }
            true => format!(
                "By {date} at the latest, the agency tells you whether it takes up your complaint or where to take it."
            ),
        }
    }

    /// What the violator list is (Decree 55/2024 Art 24), with its period in days.
    pub fn violators_intro(&self, days: u32) -> String {
        match self.en() {
            false => format!("Theo Điều 24 Nghị định 55/2024/NĐ-CP, tổ chức, cá nhân kinh doanh bị xử phạt vì vi phạm quyền lợi người tiêu dùng được công khai tên, địa chỉ, hành vi vi phạm và quyết định xử phạt trong {days} ngày."),
            true => format!("Under Article 24 of Decree 55/2024/NĐ-CP, businesses sanctioned for violating consumers' rights are listed with their name, address, violation and sanction decision for {days} days."),
        }
    }

    pub fn rate_limited(&self, minutes: i64) -> String {
        // Past two hours, in hours (a day's cap on additions waits up to 24).
        let (n, vi, en) = match minutes {
            m if m >= 120 => ((m + 59) / 60, "giờ", "hour(s)"),
            m => (m, "phút", "minute(s)"),
        };
        match self.en() {
            false => format!("Để bảo vệ thông tin, việc này tạm dừng. Vui lòng thử lại sau khoảng {n} {vi}, hoặc gọi tổng đài 1800 6838."),
            true => format!("To protect your information this is paused. Try again in about {n} {en}, or call the free line 1800 6838."),
        }
    }

    pub fn settlement_intro(&self, due: Option<&str>) -> String {
        match (self.en(), due) {
            (false, Some(d)) => format!("Hồ sơ kết thúc bằng một thỏa thuận giữa quý vị và doanh nghiệp, hạn thực hiện là ngày {d}. Hãy cho cơ quan biết thỏa thuận đã được thực hiện hay chưa."),
            (false, None) => "Hồ sơ kết thúc bằng một thỏa thuận giữa quý vị và doanh nghiệp. Hãy cho cơ quan biết thỏa thuận đã được thực hiện hay chưa.".into(),
            (true, Some(d)) => format!("Your complaint ended with an agreement between you and the business, to be carried out by {d}. Tell the agency whether it has been carried out."),
            (true, None) => "Your complaint ended with an agreement between you and the business. Tell the agency whether it has been carried out.".into(),
        }
    }

    pub fn settlement_later(&self, due: Option<&str>) -> String {
        let d = due.unwrap_or_default();
        match self.en() {
            false => format!("Nếu doanh nghiệp đã làm đúng thỏa thuận, hãy bấm xác nhận. Nếu đến hết ngày {d} thỏa thuận chưa được thực hiện, quý vị có thể quay lại trang này để báo cho cơ quan."),
            true => format!("If the business did what it agreed, confirm it here. If the agreement has not been carried out by the end of {d}, come back to this page to tell the agency."),
        }
    }

    pub fn case_title(&self, code: &str) -> String {
        format!("{} {code}", self.case)
    }
}

pub static VI: Text = Text {
    lang: Lang::Vi,
    other_name: "English",
    other_code: "en",
    switch_hint: "Đọc trang này bằng tiếng Anh",
    site_suffix: "Đường dây nóng bảo vệ người tiêu dùng",
    skip: "Bỏ qua, đến nội dung chính",
    site_name: "Đường dây nóng bảo vệ quyền lợi người tiêu dùng",
    site_tag: "Tiếp nhận, giải quyết phản ánh, khiếu nại của người tiêu dùng",
    footer_hotline: "Tổng đài tư vấn người tiêu dùng quốc gia:",
    free: "(miễn phí)",
    nav_home: "Trang chủ",
    nav_file: "Gửi phản ánh",
    nav_track: "Tra cứu hồ sơ",
    back_home: "Về trang chủ",
    error_prefix: "Lỗi: ",
    required: "(bắt buộc)",
    optional: "(không bắt buộc)",
    home_title: "Trang chủ",
    home_h1: "Phản ánh, khiếu nại của người tiêu dùng",
    home_lead: "Quý vị mua hàng, dùng dịch vụ bị thiệt hại, bị lừa dối hoặc thấy hàng giả, hàng kém chất lượng? Hãy gửi phản ánh. Cơ quan có thẩm quyền sẽ tiếp nhận, chuyển doanh nghiệp thương lượng, hòa giải hoặc kiểm tra, xử lý theo Luật Bảo vệ quyền lợi người tiêu dùng số 19/2023/QH15.",
    home_file_online: "Gửi phản ánh trực tuyến",
    home_ways: "Ba cách gửi phản ánh",
    home_online: ("Trực tuyến", "điền biểu mẫu trên trang này, khoảng 5 phút. Quý vị nhận mã hồ sơ ngay và đường dẫn riêng để theo dõi qua thư điện tử."),
    home_phone: "Gọi điện",
    home_in_person: ("Trực tiếp", "đến trụ sở cơ quan, mang theo hóa đơn, hợp đồng, ảnh chụp sản phẩm nếu có."),
    home_procedure: "Quy trình và thời hạn",
    home_steps: [
        ("Tiếp nhận", "trong 10 ngày làm việc, cơ quan trả lời quý vị việc thụ lý hoặc hướng dẫn gửi đến nơi có thẩm quyền. Ngày làm việc không tính thứ Bảy, Chủ nhật và ngày lễ, Tết."),
        ("Thương lượng", "yêu cầu được chuyển đến doanh nghiệp; doanh nghiệp có 7 ngày làm việc để thương lượng với quý vị và 5 ngày làm việc để báo kết quả."),
        ("Hòa giải", "nếu thương lượng không thành, quý vị có thể đề nghị hòa giải với hòa giải viên của Hội Bảo vệ quyền lợi người tiêu dùng."),
        ("Kiểm tra, xử lý", "hành vi vi phạm (hàng giả, gian lận, quảng cáo sai sự thật…) được chuyển cơ quan có thẩm quyền kiểm tra, xử phạt."),
    ],
    home_court: "Nếu vẫn không được giải quyết, quý vị có quyền yêu cầu trọng tài hoặc khởi kiện tại Tòa án; vụ án dưới 100 triệu đồng có thể giải quyết theo thủ tục rút gọn và người tiêu dùng không phải nộp tạm ứng án phí.",
    home_agencies: "Các cơ quan tiếp nhận",
    phone: "Điện thoại",
    address: "Địa chỉ",
    form_title: "Gửi phản ánh",
    form_h1: "Gửi phản ánh, khiếu nại",
    form_intro: "Các mục có dấu (bắt buộc) cần điền. Thông tin cá nhân của quý vị chỉ dùng để giải quyết phản ánh và không bao giờ được công khai.",
    form_kind_legend: "Quý vị muốn gửi gì?",
    form_kind_complaint: ("Phản ánh, khiếu nại", "Quý vị bị thiệt hại khi mua hàng, dùng dịch vụ và cần cơ quan giúp giải quyết với doanh nghiệp."),
    form_kind_violation: ("Tố giác vi phạm", "Báo cho cơ quan về hành vi vi phạm (hàng giả, hàng kém chất lượng, quảng cáo sai sự thật…). Không bắt buộc ghi họ tên, số điện thoại; nếu quý vị ghi, thông tin này được giữ bí mật, doanh nghiệp không được biết."),
    form_reporter_legend: "Quý vị gửi với tư cách",
    form_reporter: ["Người tiêu dùng", "Doanh nghiệp, hộ kinh doanh", "Cơ quan, tổ chức"],
    form_about: "Nội dung phản ánh",
    form_description: ("Quý vị gặp vấn đề gì? (bắt buộc)", "Mua gì, ở đâu, khi nào, điều gì đã xảy ra. Không cần ghi số điện thoại vào đây."),
    form_request: ("Quý vị đề nghị gì?", "Ví dụ: đổi sản phẩm, hoàn tiền, bồi thường, kiểm tra cửa hàng."),
    form_product: ("Sản phẩm, dịch vụ (nếu có)", "Tên và nhãn hiệu, ví dụ: nồi chiên không dầu Sunhouse, gói cước Internet, tour du lịch Đà Lạt."),
    form_amount: ("Số tiền liên quan (đồng)", "Chỉ ghi số, ví dụ 1.200.000"),
    form_date: "Ngày mua hàng, sử dụng dịch vụ",
    form_evidence: "Hình ảnh, giấy tờ, ghi âm kèm theo",
    form_evidence_examples: "Ví dụ: hóa đơn, ảnh sản phẩm, ảnh chụp tin nhắn, ghi âm cuộc gọi.",
    form_business: "Doanh nghiệp, cửa hàng bị phản ánh",
    form_business_name: "Tên doanh nghiệp, cửa hàng, gian hàng",
    form_business_link: "Đường dẫn gian hàng, trang web (nếu mua trực tuyến)",
    form_you: "Thông tin của quý vị",
    form_name: "Họ và tên (bắt buộc, trừ khi tố giác vi phạm)",
    form_phone: ("Số điện thoại (bắt buộc, trừ khi tố giác vi phạm)", "Cán bộ gọi lại khi cần. 4 số cuối dùng để tra cứu hồ sơ."),
    form_email: ("Thư điện tử", "Để nhận mã hồ sơ, đường dẫn theo dõi và thông báo kết quả."),
    form_province: "Tỉnh, thành phố nơi quý vị sống",
    form_commune: "Xã, phường",
    form_vulnerable: ("Quý vị (hoặc người bị thiệt hại) thuộc nhóm nào dưới đây?", "Người tiêu dùng dễ bị tổn thương được ưu tiên giải quyết (Điều 8 Luật 19/2023). Không bắt buộc."),
    form_groups: [
        "Người cao tuổi",
        "Người khuyết tật",
        "Trẻ em",
        "Người dân tộc thiểu số; người sống ở miền núi, hải đảo, vùng khó khăn",
        "Phụ nữ mang thai, nuôi con dưới 36 tháng",
        "Người mắc bệnh hiểm nghèo",
        "Hộ nghèo, cận nghèo",
    ],
    form_consent: "Tôi đồng ý để cơ quan xử lý thông tin cá nhân của tôi nhằm giải quyết phản ánh này (bắt buộc).",
    form_submit: "Gửi phản ánh",
    case: "Hồ sơ",
    receipt_h1: "Đã gửi phản ánh",
    receipt_code: "Mã hồ sơ của quý vị",
    receipt_keep: "Hãy ghi lại mã hồ sơ để tra cứu hoặc khi gọi điện.",
    receipt_emailed: "Chúng tôi đã gửi thư xác nhận kèm đường dẫn riêng để theo dõi hồ sơ đến địa chỉ thư điện tử quý vị cung cấp.",
    receipt_not_emailed: "Quý vị có thể lưu lại địa chỉ của trang này: đó là đường dẫn riêng để theo dõi hồ sơ, không chia sẻ cho người khác.",
    receipt_next: "Điều gì xảy ra tiếp theo",
    receipt_step1: "Cán bộ xem xét phản ánh và chuyển đến cơ quan có thẩm quyền.",
    receipt_step3: "Mỗi bước xử lý được cập nhật trên trang này.",
    receipt_step3_mail: "Mỗi bước xử lý được cập nhật trên trang này và thông báo qua thư điện tử.",
    ten_working_days: "10 ngày làm việc sau khi tiếp nhận",
    status_h2: "Tình trạng",
    agency: "Cơ quan giải quyết",
    agency_phone: "Điện thoại của cơ quan",
    agency_address: "Nơi tiếp nhận",
    received_on: "Ngày tiếp nhận",
    updated_on: "Cập nhật lần cuối",
    outcome: "Kết quả",
    your_files: "Tài liệu quý vị đã gửi",
    deadlines: "Thời hạn",
    deadline_what: "Việc",
    deadline_when: "Hạn",
    working_days: "Thời hạn tính theo ngày làm việc: không tính thứ Bảy, Chủ nhật và ngày lễ, Tết.",
    messages: "Thông báo của cơ quan",
    history: "Các bước đã qua",
    history_date: "Ngày",
    history_stage: "Bước",
    info_h2: "Bổ sung thông tin",
    info_asked: "Cơ quan đề nghị quý vị bổ sung:",
    info_asked_by_mail: "Cơ quan đã đề nghị quý vị bổ sung thông tin (xem thư điện tử cơ quan gửi quý vị).",
    info_without_link: "Cách gửi: mở đường dẫn riêng trong thư điện tử cơ quan đã gửi quý vị. Nếu quý vị không có thư điện tử, hãy gọi điện cho cơ quan hoặc mang thông tin, tài liệu đến nơi tiếp nhận và nêu mã hồ sơ.",
    info_paused: "Việc giải quyết tạm dừng cho đến khi nhận được",
    info_due: "hạn gửi:",
    info_label: ("Thông tin bổ sung (bắt buộc)", "Trả lời đúng những điều được đề nghị."),
    info_more_h2: "Gửi thêm thông tin",
    info_more_intro: "Nếu có điều mới liên quan đến phản ánh (doanh nghiệp đã liên hệ hoặc hoàn tiền một phần, quý vị tìm được hóa đơn, ảnh, ghi âm…), hãy gửi tại đây. Cơ quan giải quyết nhận được thông báo và xem xét cùng hồ sơ.",
    info_more_label: ("Thông tin gửi thêm (bắt buộc)", "Viết ngắn gọn điều mới và ngày xảy ra."),
    info_files: "Hình ảnh, giấy tờ, ghi âm kèm theo",
    info_submit: "Gửi thông tin bổ sung",
    settlement_h2: "Thỏa thuận đã được thực hiện chưa?",
    settlement_legend: "Doanh nghiệp đã thực hiện đúng thỏa thuận chưa?",
    settlement_yes: "Đã thực hiện",
    settlement_no: "Chưa thực hiện (hồ sơ sẽ được mở lại để cơ quan xem xét)",
    settlement_note: "Ghi chú (không bắt buộc)",
    settlement_send: "Gửi xác nhận",
    settlement_confirm: "Xác nhận đã thực hiện",
    rate_h2: "Đánh giá kết quả giải quyết",
    rate_intro: "Ý kiến của quý vị giúp cơ quan phục vụ tốt hơn. Quý vị có thể đánh giá một lần, trong 30 ngày kể từ khi hồ sơ kết thúc. Nếu chọn \"Chưa được giải quyết\", hồ sơ sẽ được mở lại để cơ quan xem xét.",
    rate_resolved_legend: "Phản ánh của quý vị đã được giải quyết chưa?",
    rate_resolved_yes: "Đã được giải quyết",
    rate_resolved_no: "Chưa được giải quyết",
    rate_score_legend: "Mức độ hài lòng",
    rate_scores: ["Rất không hài lòng", "Chưa hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"],
    rate_comment: "Góp ý (không bắt buộc)",
    rate_submit: "Gửi đánh giá",
    withdraw_h2: "Rút yêu cầu",
    withdraw_summary: "Tôi muốn rút yêu cầu, không cần giải quyết nữa",
    withdraw_reason: "Lý do (không bắt buộc)",
    withdraw_after: "Sau khi rút, hồ sơ kết thúc và không được giải quyết tiếp.",
    withdraw_submit: "Rút yêu cầu",
    notice_withdrawn: "Quý vị đã rút yêu cầu. Hồ sơ đã kết thúc.",
    notice_info: "Đã gửi thông tin của quý vị đến cơ quan giải quyết.",
    notice_rated: "Cảm ơn quý vị đã đánh giá.",
    notice_settled: "Cảm ơn quý vị đã xác nhận thỏa thuận đã được thực hiện.",
    notice_not_settled: "Cơ quan đã nhận ý kiến của quý vị: hồ sơ được mở lại để xem xét. Xem thông báo bên dưới về những việc quý vị có thể làm.",
    track_title: "Tra cứu hồ sơ",
    track_failed: "Chưa tra cứu được",
    track_intro: "Nếu quý vị đã nhận thư xác nhận, hãy mở đường dẫn trong thư: không cần nhập gì. Hoặc nhập mã hồ sơ và 4 số cuối của số điện thoại đã dùng khi gửi phản ánh.",
    track_code: "Mã hồ sơ",
    track_code_hint: "Ví dụ KN-2026-7QF3-XK2M",
    track_digits: "4 số cuối của số điện thoại",
    track_submit: "Tra cứu",
    track_bad_input: "Nhập mã hồ sơ và đúng 4 chữ số cuối của số điện thoại.",
    track_not_found: "Không tìm thấy hồ sơ với mã và 4 số cuối này. Vui lòng kiểm tra lại.",
    err_case_not_found: ("Không tìm thấy hồ sơ", "Đường dẫn không đúng, đã hết hạn hoặc đã bị thu hồi. Quý vị có thể tra cứu bằng mã hồ sơ và 4 số cuối của số điện thoại."),
    err_rate_limited: "Quá nhiều lần thử",
    err_not_sent: "Chưa gửi được",
    err_go_back: "Vui lòng quay lại và sửa.",
    err_cannot: "Không thực hiện được",
    err_changed: "Hồ sơ vừa thay đổi hoặc ở bước này không làm được việc đó. Vui lòng mở lại đường dẫn của hồ sơ.",
    err_form_expired: "Biểu mẫu đã hết hạn. Vui lòng mở lại đường dẫn của hồ sơ và gửi lại.",
    err_too_large: ("Tệp gửi lên quá lớn", "Chưa có gì được lưu. Hãy quay lại, bớt số tệp hoặc chọn tệp nhỏ hơn (xem giới hạn ghi dưới ô chọn tệp), rồi gửi lại."),
    err_busy: ("Hệ thống đang bận", "Chưa có gì được lưu. Vui lòng thử lại sau ít phút."),
    err_other: ("Đã có lỗi", "Hệ thống gặp lỗi, chưa có gì được lưu. Vui lòng thử lại sau hoặc gọi tổng đài 1800 6838."),
    link_gone: ("Đường dẫn này không còn dùng được", "Đường dẫn riêng của hồ sơ hết hạn sau khi hồ sơ kết thúc một thời gian, hoặc đã được cơ quan thu hồi để bảo vệ thông tin của quý vị. Quý vị vẫn xem được hồ sơ bằng cách tra cứu với mã hồ sơ (ví dụ KN\u{2011}2026\u{2011}7QF3\u{2011}XK2M, có trong thư xác nhận) và 4 số cuối của số điện thoại đã khai. Cần hỗ trợ, hãy gọi tổng đài 1800 6838 (miễn phí)."),
    link_gone_next: "Tra cứu hồ sơ bằng mã và số điện thoại",
    page_not_found: ("Không tìm thấy trang", "Địa chỉ này không có trên trang. Hãy kiểm tra lại đường dẫn, hoặc về trang chủ."),
    render_failed: "Lỗi hệ thống. Vui lòng thử lại sau.",
    nav_kb: "Hỏi đáp",
    home_kb: ("Hỏi đáp", "Câu hỏi thường gặp về quyền của người tiêu dùng, có căn cứ pháp luật. Tìm câu trả lời trước khi gửi phản ánh."),
    kb_title: "Hỏi đáp cho người tiêu dùng",
    kb_lead: "Câu trả lời của cơ quan bảo vệ quyền lợi người tiêu dùng cho những câu hỏi thường gặp, kèm điều luật làm căn cứ.",
    kb_search: ("Tìm câu hỏi", "Gõ vài từ, có dấu hay không dấu đều được, ví dụ: bao hiem, hoan tien."),
    kb_search_button: "Tìm",
    kb_category: "Lĩnh vực",
    kb_all_categories: "Tất cả lĩnh vực",
    kb_none: "Chưa có câu hỏi nào có các từ này. Hãy thử ít từ hơn, hoặc gọi tổng đài để được tư vấn.",
    kb_empty: "Chưa có câu hỏi nào được công bố.",
    kb_results: "Câu hỏi",
    kb_legal: "Căn cứ pháp lý",
    kb_updated: "Cập nhật ngày",
    kb_back: "Tất cả câu hỏi",
    kb_more_help: "Vẫn cần giúp đỡ? Gọi tổng đài miễn phí hoặc gửi phản ánh để cơ quan giải quyết.",
    kb_in_vietnamese: "",
    nav_violators: "Doanh nghiệp vi phạm",
    nav_warnings: "Cảnh báo",
    home_public: ("Thông tin công khai", "Danh sách tổ chức, cá nhân kinh doanh đã bị xử phạt vì vi phạm quyền lợi người tiêu dùng và các cảnh báo về sản phẩm, doanh nghiệp, phương thức kinh doanh."),
    violators_title: "Tổ chức, cá nhân kinh doanh vi phạm đã bị xử phạt",
    violators_none: "Hiện không có tổ chức, cá nhân kinh doanh nào trong danh sách công khai.",
    v_address: "Địa chỉ",
    v_violation: "Hành vi vi phạm",
    v_place: "Nơi xảy ra vi phạm",
    v_decision: "Quyết định xử phạt",
    v_issued_by: "của",
    v_until: "Công khai đến ngày",
    warnings_title: "Cảnh báo người tiêu dùng",
    warnings_intro: "Cảnh báo của cơ quan bảo vệ quyền lợi người tiêu dùng về sản phẩm, doanh nghiệp hoặc phương thức kinh doanh có thể gây thiệt hại. Hãy thận trọng và gọi tổng đài khi cần tư vấn.",
    warnings_none: "Hiện không có cảnh báo nào.",
    w_business: "Doanh nghiệp",
    w_product: "Sản phẩm",
    w_period: "Áp dụng",
    feed_link: "Theo dõi qua nguồn tin Atom",
};

pub static EN: Text = Text {
    lang: Lang::En,
    other_name: "Tiếng Việt",
    other_code: "vi",
    switch_hint: "Read this page in Vietnamese",
    site_suffix: "Consumer protection hotline",
    skip: "Skip to main content",
    site_name: "Consumer protection hotline",
    site_tag: "We receive and resolve consumers' complaints",
    footer_hotline: "National consumer advice line:",
    free: "(free of charge)",
    nav_home: "Home",
    nav_file: "File a complaint",
    nav_track: "Follow my complaint",
    back_home: "Back to the home page",
    error_prefix: "Error: ",
    required: "(required)",
    optional: "(optional)",
    home_title: "Home",
    home_h1: "Consumer complaints",
    home_lead: "Did you lose money or get misled when buying goods or using a service, or did you see counterfeit or substandard goods? File a complaint. The competent agency receives it, passes it to the business to negotiate, arranges mediation or inspects and sanctions, under the Law on Protection of Consumers' Rights No. 19/2023/QH15.",
    home_file_online: "File a complaint online",
    home_ways: "Three ways to file a complaint",
    home_online: ("Online", "fill in the form on this site, about 5 minutes. You get a tracking code at once and a private link by e-mail to follow your complaint."),
    home_phone: "By phone",
    home_in_person: ("In person", "go to the agency's office; bring receipts, contracts and photos of the product if you have them."),
    home_procedure: "Procedure and deadlines",
    home_steps: [
        ("Receipt", "within 10 working days, the agency tells you whether it takes up your complaint or where to send it. Working days do not count Saturdays, Sundays and public holidays."),
        ("Negotiation", "your request is passed to the business; the business has 7 working days to negotiate with you and 5 working days to report the result."),
        ("Mediation", "if negotiation fails, you may ask for mediation by a mediator of the Consumer Protection Association."),
        ("Inspection and sanctions", "violations (counterfeits, fraud, false advertising…) are passed to the competent agency to inspect and fine."),
    ],
    home_court: "If your complaint is still not resolved, you may go to arbitration or to court; a case under 100 million đồng can follow the simplified procedure, and consumers pay no advance court fee.",
    home_agencies: "Agencies that receive complaints",
    phone: "Phone",
    address: "Address",
    form_title: "File a complaint",
    form_h1: "File a complaint",
    form_intro: "Fields marked (required) must be filled in. Your personal information is used only to resolve your complaint and is never made public.",
    form_kind_legend: "What do you want to send?",
    form_kind_complaint: ("A complaint", "You lost out when buying goods or using a service and want the agency's help to settle it with the business."),
    form_kind_violation: ("A report of a violation", "Tell the agency about a violation (counterfeit or substandard goods, false advertising…). Your name and phone number are optional; if you give them, they are kept confidential and the business is never told."),
    form_reporter_legend: "You are sending as",
    form_reporter: ["A consumer", "A business or household business", "An agency or organisation"],
    form_about: "Your complaint",
    form_description: ("What went wrong? (required)", "What you bought, where, when, and what happened. No need to put your phone number here."),
    form_request: ("What do you ask for?", "For example: a replacement, a refund, compensation, an inspection of the shop."),
    form_product: ("Product or service (if any)", "Its name and brand, for example: a Sunhouse air fryer, an Internet plan, a tour to Đà Lạt."),
    form_amount: ("Amount involved (đồng)", "Numbers only, for example 1.200.000"),
    form_date: "Date of the purchase or service",
    form_evidence: "Photos, documents, recordings",
    form_evidence_examples: "For example: a receipt, photos of the product, screenshots of messages, a recording of a call.",
    form_business: "The business or shop you complain about",
    form_business_name: "Name of the business, shop or online store",
    form_business_link: "Link to the online store or website (if you bought online)",
    form_you: "About you",
    form_name: "Full name (required, except for a report of a violation)",
    form_phone: ("Phone number (required, except for a report of a violation)", "An officer calls you back if needed. The last 4 digits let you look up your complaint."),
    form_email: ("E-mail", "To receive your tracking code, a private link to follow your complaint, and the result."),
    form_province: "Province or city where you live",
    form_commune: "Commune or ward",
    form_vulnerable: ("Do you (or the person harmed) belong to one of these groups?", "Vulnerable consumers are dealt with first (Article 8, Law 19/2023). Optional."),
    form_groups: [
        "Elderly person",
        "Person with a disability",
        "Child",
        "Ethnic minority, or living in a mountain, island or disadvantaged area",
        "Pregnant woman, or raising a child under 36 months",
        "Person with a serious illness",
        "Poor or near-poor household",
    ],
    form_consent: "I agree that the agency processes my personal information to resolve this complaint (required).",
    form_submit: "Send complaint",
    case: "Complaint",
    receipt_h1: "Complaint sent",
    receipt_code: "Your tracking code",
    receipt_keep: "Write down the tracking code to look up your complaint or to give when you call.",
    receipt_emailed: "We have sent a confirmation with a private link to follow your complaint to the e-mail address you gave.",
    receipt_not_emailed: "Keep the address of this page: it is your private link to follow your complaint. Do not share it.",
    receipt_next: "What happens next",
    receipt_step1: "An officer reviews your complaint and passes it to the competent agency.",
    receipt_step3: "Each step is shown on this page.",
    receipt_step3_mail: "Each step is shown on this page and sent to you by e-mail.",
    ten_working_days: "10 working days after receipt",
    status_h2: "Status",
    agency: "Agency handling it",
    agency_phone: "The agency's phone",
    agency_address: "Where to bring documents",
    received_on: "Received on",
    updated_on: "Last updated",
    outcome: "Outcome",
    your_files: "Documents you sent",
    deadlines: "Deadlines",
    deadline_what: "What",
    deadline_when: "By",
    working_days: "Deadlines count working days: Saturdays, Sundays and public holidays are not counted.",
    messages: "Messages from the agency",
    history: "Steps so far",
    history_date: "Date",
    history_stage: "Step",
    info_h2: "Add information",
    info_asked: "The agency asks you for:",
    info_asked_by_mail: "The agency has asked you for more information (see the e-mail it sent you).",
    info_without_link: "How to send it: open the private link in the e-mail the agency sent you. If you have no e-mail, call the agency or bring the information and documents to it, and give your case code.",
    info_paused: "Work on your complaint is paused until it arrives",
    info_due: "send it by",
    info_label: ("Information (required)", "Answer exactly what you were asked."),
    info_more_h2: "Send more information",
    info_more_intro: "If something new happened about your complaint (the business contacted you or refunded part of the money, you found a receipt, photos, a recording…), send it here. The agency handling it is told and considers it with your case.",
    info_more_label: ("Information (required)", "Say briefly what is new and when it happened."),
    info_files: "Photos, documents, recordings",
    info_submit: "Send information",
    settlement_h2: "Has the agreement been carried out?",
    settlement_legend: "Did the business do what it agreed?",
    settlement_yes: "Yes, it was carried out",
    settlement_no: "No, not carried out (your complaint will be reopened for the agency to review)",
    settlement_note: "Note (optional)",
    settlement_send: "Send answer",
    settlement_confirm: "Confirm it was carried out",
    rate_h2: "Rate how your complaint was handled",
    rate_intro: "Your opinion helps the agency serve people better. You can rate once, within 30 days after your complaint was closed. If you choose \"Not resolved\", your complaint is reopened for the agency to review.",
    rate_resolved_legend: "Was your complaint resolved?",
    rate_resolved_yes: "Resolved",
    rate_resolved_no: "Not resolved",
    rate_score_legend: "How satisfied are you?",
    rate_scores: ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"],
    rate_comment: "Comments (optional)",
    rate_submit: "Send rating",
    withdraw_h2: "Withdraw your complaint",
    withdraw_summary: "I want to withdraw my complaint; it no longer needs handling",
    withdraw_reason: "Reason (optional)",
    withdraw_after: "After you withdraw, your complaint is closed and no longer handled.",
    withdraw_submit: "Withdraw complaint",
    notice_withdrawn: "You have withdrawn your complaint. It is closed.",
    notice_info: "Your information was sent to the agency handling your complaint.",
    notice_rated: "Thank you for your rating.",
    notice_settled: "Thank you for confirming that the agreement was carried out.",
    notice_not_settled: "The agency has your answer: your complaint is reopened for review. See the messages below for what you can do.",
    track_title: "Follow my complaint",
    track_failed: "Your complaint could not be looked up",
    track_intro: "If you received a confirmation e-mail, open the link in it: nothing to type. Or enter the tracking code and the last 4 digits of the phone number you gave when filing.",
    track_code: "Tracking code",
    track_code_hint: "For example KN-2026-7QF3-XK2M",
    track_digits: "Last 4 digits of your phone number",
    track_submit: "Look up",
    track_bad_input: "Enter the tracking code and exactly the last 4 digits of your phone number.",
    track_not_found: "No complaint was found with this code and these 4 digits. Check them and try again.",
    err_case_not_found: ("Complaint not found", "The link is wrong, has expired or was revoked. You can look up your complaint with its tracking code and the last 4 digits of your phone number."),
    err_rate_limited: "Too many attempts",
    err_not_sent: "Not sent",
    err_go_back: "Go back and correct it.",
    err_cannot: "This could not be done",
    err_changed: "Your complaint has just changed, or this cannot be done at this step. Open your complaint's link again.",
    err_form_expired: "The form has expired. Open your complaint's link again and send it again.",
    err_too_large: ("The files are too large", "Nothing was saved. Go back, send fewer files or smaller ones (see the limits under the file field), and send again."),
    err_busy: ("The service is busy", "Nothing was saved. Try again in a few minutes."),
    err_other: ("Something went wrong", "The service had a problem and nothing was saved. Try again later or call 1800 6838."),
    link_gone: ("This link no longer works", "A complaint's private link expires some time after the complaint is closed, or the agency may have revoked it to protect your information. You can still see your complaint by looking it up with its tracking code (for example KN\u{2011}2026\u{2011}7QF3\u{2011}XK2M, in your confirmation e-mail) and the last 4 digits of the phone number you gave. For help, call 1800 6838 (free of charge)."),
    link_gone_next: "Look up with the code and phone number",
    page_not_found: ("Page not found", "There is no page at this address. Check the link, or go to the home page."),
    render_failed: "System error. Please try again later.",
    nav_kb: "Questions and answers",
    home_kb: ("Questions and answers", "Common questions about consumer rights, with the law behind each answer. Look for your answer before filing a complaint."),
    kb_title: "Questions and answers for consumers",
    kb_lead: "The consumer-protection agency's answers to common questions, with the articles of law they rest on.",
    kb_search: ("Search the questions", "Type a few words, with or without Vietnamese accents, e.g. bao hiem (insurance), hoan tien (refund)."),
    kb_search_button: "Search",
    kb_category: "Field",
    kb_all_categories: "All fields",
    kb_none: "No question has these words. Try fewer words, or call the hotline for advice.",
    kb_empty: "No question has been published yet.",
    kb_results: "Questions",
    kb_legal: "Legal basis",
    kb_updated: "Updated",
    kb_back: "All questions",
    kb_more_help: "Still need help? Call the free hotline or file a complaint for the agency to handle.",
    kb_in_vietnamese: "The questions and answers are written in Vietnamese.",
    nav_violators: "Sanctioned businesses",
    nav_warnings: "Warnings",
    home_public: ("Public information", "Businesses sanctioned for violating consumers' rights, and warnings about products, businesses and practices."),
    violators_title: "Businesses sanctioned for violations",
    violators_none: "No business is on the public list at the moment.",
    v_address: "Address",
    v_violation: "Violation",
    v_place: "Where it took place",
    v_decision: "Sanction decision",
    v_issued_by: "by",
    v_until: "Listed until",
    warnings_title: "Consumer warnings",
    warnings_intro: "Warnings from the consumer protection agencies about products, businesses or practices that may cause harm. Take care, and call the free line if you need advice.",
    warnings_none: "There are no warnings at the moment.",
    w_business: "Business",
    w_product: "Product",
    w_period: "In force",
    feed_link: "Follow as an Atom feed",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_only_when_the_browser_prefers_it_to_vietnamese() {
        for (header, lang) in [
            ("", Lang::Vi),
            ("vi", Lang::Vi),
            ("en-US,en;q=0.9", Lang::En),
            ("vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", Lang::Vi),
            ("en-GB,en;q=0.9,vi;q=0.8", Lang::En),
            ("fr-FR,fr;q=0.9", Lang::Vi),
            ("fr,en;q=0.5", Lang::En),
            ("en;q=0.5,vi;q=0.5", Lang::Vi),
            ("EN", Lang::En),
            ("en;q=0", Lang::Vi),
            ("garbage;;q=x,,", Lang::Vi),
        ] {
            assert_eq!(Lang::from_accept_language(header), lang, "{header}");
        }
    }

    #[test]
    fn messages_become_sentences() {
        assert_eq!(sentence("trường này là bắt buộc"), "Trường này là bắt buộc.");
        assert_eq!(sentence("Already one."), "Already one.");
        assert_eq!(sentence(""), "");
    }
}
