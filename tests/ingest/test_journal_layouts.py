"""Journal layouts outside arXiv and ACL (BMC, MDPI, society journals), rebuilt as small PDFs with the features that
broke synth on real ones: a masthead larger than the title, affiliation marks set in the body size, the year only in
the running header, and back-matter headings in a face PyMuPDF does not flag as bold."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest

from synth.ingest.metadata import read_front_matter
from synth.ingest.pdf import parse_pdf


def _page(
    path: Path,
    lines: list[tuple[float, str, float, str]],
    title: str = "",
    created: str = "",
    draw: Callable[[pymupdf.Page], None] | None = None,
) -> Path:
    """A one-page PDF of ``(y, text, size, font)`` lines at the left margin, and what ``draw`` puts on it, with the
    given metadata."""
    doc = pymupdf.open()
    page = doc.new_page()
    for y, text, size, font in lines:
        page.insert_text((72, y), text, fontsize=size, fontname=font)
    if draw is not None:
        draw(page)
    doc.set_metadata({"title": title, "creationDate": created})
    doc.save(path)
    doc.close()
    return path


def test_a_masthead_larger_than_the_title_is_not_the_title(tmp_path: Path) -> None:
    # Branchi et al. 2014, Future Internet (MDPI): the journal's name is set at 28 pt above an 18 pt title
    pdf = _page(
        tmp_path / "mdpi.pdf",
        [
            (53, "Future Internet 2014, 6, 61-75; doi:10.3390/fi6010061", 10, "tiro"),
            (90, "future internet", 28, "helv"),
            (170, "Analysis Matrix for Smart Cities", 18, "tibo"),
            (205, "Pablo E. Branchi *, Carlos Fernandez-Valdivielso and Ignacio R. Matias", 11, "tibo"),
            (235, "Electrical and Electronic Engineering Department, Public University of Navarra", 9, "tiro"),
            (280, "Abstract: The current digital revolution has ignited the evolution of communications", 10, "tiro"),
            (293, "grids and the development of new schemes for productive systems.", 10, "tiro"),
            (310, "Keywords: appropriate technology; cities and towns", 10, "tiro"),
        ],
        title="Analysis Matrix for Smart Cities",
    )
    front = read_front_matter(pdf)
    assert front.title == "Analysis Matrix for Smart Cities"
    assert front.authors == ["Pablo E. Branchi", "Carlos Fernandez-Valdivielso", "Ignacio R. Matias"]
    assert (front.venue, front.year) == ("Future Internet", 2014)
    assert front.abstract.endswith("new schemes for productive systems.")  # the keywords are not the abstract


def test_affiliation_marks_in_the_body_size_do_not_hide_authors(tmp_path: Path) -> None:
    # Wang et al. 2022 (arXiv 2201.09329): "Zheren Wang1,2,a, Kevin Cruse1,2,a, …" over two lines
    pdf = _page(
        tmp_path / "ulsa.pdf",
        [
            (120, "ULSA: Unified Language of Synthesis Actions for Representation of", 17, "tibo"),
            (145, "Synthesis Protocols", 17, "tibo"),
            (190, "Zheren Wang1,2,a, Kevin Cruse1,2,a, Yuxing Fei1,2, Ann Chia1,c, Yan Zeng2,", 12, "tiro"),
            (208, "Tanjin He1,2, Bowen Deng1,2, Olga Kononova1,*,b, and Gerbrand Ceder1,2,*", 12, "tiro"),
            (240, "1Department of Materials Science & Engineering, University of California, Berkeley", 9, "tiro"),
        ],
    )
    assert read_front_matter(pdf).authors == [
        "Zheren Wang", "Kevin Cruse", "Yuxing Fei", "Ann Chia", "Yan Zeng",
        "Tanjin He", "Bowen Deng", "Olga Kononova", "Gerbrand Ceder",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "venue", "year"),
    [
        (
            "Middle-East Journal of Scientific Research 23 (11): 2805-2810, 2015",
            "Middle-East Journal of Scientific Research",
            2015,
        ),
        (
            "De Marchis et al. Journal of NeuroEngineering and Rehabilitation (2016) 13:22",
            "Journal of NeuroEngineering and Rehabilitation",
            2016,
        ),
    ],
)
def test_the_year_is_read_from_the_running_header_before_the_file_date(
    tmp_path: Path, header: str, venue: str, year: int
) -> None:
    # Srivastava & Upadhyay 2015: the PDF was made in January 2016, the paper appeared in 2015
    pdf = _page(
        tmp_path / "journal.pdf",
        [
            (60, header, 9, "tiro"),
            (130, "The Effect of Phytojuvenoid on Larvae of the Multivoltine", 14, "tibo"),
            (148, "Mulberry Silkworm (Bombyx mori Linn.)", 14, "tibo"),
            (176, "Roli Srivastava and V.B. Upadhyay", 10, "tibo"),
        ],
        created="D:20160106161213+05'00'",
    )
    front = read_front_matter(pdf)
    assert (front.venue, front.year) == (venue, year)


def _results_then(heading: tuple[str, float], first: str, body: list[str]) -> list[tuple[float, str, float, str]]:
    """Lines of a "Results" section: ``first`` as its opening paragraph, then ``heading`` (text, size) in another face on
    its own line directly over the ``body`` lines (BMC's subsection layout)."""
    lines = [(70.0, "Results", 12.0, "tibo"), (90.0, first, 10.0, "tiro"), (125.0, heading[0], heading[1], "helv")]
    return lines + [(137.0 + 12 * i, t, 10.0, "tiro") for i, t in enumerate(body)]


def test_headings_in_a_face_not_flagged_bold_open_their_sections(tmp_path: Path) -> None:
    # De Marchis et al. 2016 (BMC): subsection and back-matter headings in another face, at the text's size or smaller,
    # in the same text block as the paragraph under them; the bibliography used to be read as the conclusions' prose
    body = [
        "The behavioral outcome obtained with stimulation at the optimal",
        "pattern was significantly higher than that obtained from the control",
        "measurements in all of the eight subjects that took part here.",
    ]
    refs = [
        "1. Quandt F, Hummel FC. The influence of functional electrical stimulation",
        "on hand motor recovery in stroke patients. Front Hum Neurosci. 2014;8:1-6.",
        "2. Bauer R, Fels M, Gharabaghi A. Bridging the gap between motor imagery.",
    ]
    lines = _results_then(("Optimal patterns vs control", 10), "We explored 1440 stimulation patterns during the scan.", body)
    lines += [(200, "References", 7.5, "helv")] + [(210 + 10 * i, t, 7.5, "tiro") for i, t in enumerate(refs)]
    pdf = _page(tmp_path / "bmc.pdf", lines)
    doc = parse_pdf(pdf, "bmc", "0" * 64)
    prose = [b for b in doc.blocks if b.kind == "prose"]
    assert [b.section for b in prose] == ["Results", "Results › Optimal patterns vs control"]
    assert prose[1].text.startswith("The behavioral outcome")
    assert doc.references and doc.references[0].startswith("1. Quandt F")  # the bibliography, not prose


def test_a_subsection_name_in_capitals_over_its_paragraph_is_not_read_into_the_sentence(tmp_path: Path) -> None:
    # Dodd et al. 2014 (BMC Medicine): "Healthy Eating Index" in another face on its own line over its paragraph was
    # read as the opening of "Women randomised to receive Lifestyle Advice demonstrated …" (column names like
    # "Model Yelp'13 Yelp'14 IMDB" stay with their table)
    body = [
        "Women randomised to receive Lifestyle Advice demonstrated significant",
        "improvement in their diet quality as measured by the index, at both 28",
        "and 36 weeks' gestation, compared with women receiving Standard Care.",
    ]
    lines = _results_then(("Healthy Eating Index", 9.2), "Women in both groups were similar at trial entry.", body)
    doc = parse_pdf(_page(tmp_path / "bmc.pdf", lines), "bmc", "0" * 64)
    prose = [b.text for b in doc.blocks if b.kind == "prose"]
    assert any(t.startswith("Women randomised to receive Lifestyle Advice") for t in prose), prose
    assert not any("Healthy Eating Index Women" in t for t in prose)


def test_a_manuscripts_line_numbers_are_not_read_into_its_text(tmp_path: Path) -> None:
    # Meeson et al. 2019, an accepted manuscript: every line numbered in the left margin, read into the claims as
    # "… a predominant 265 delayed union …"; a subsection number in the text's own face opened no section
    doc = pymupdf.open()
    page = doc.new_page()
    text = [
        "1 Introduction",
        "Fracture healing depends on the strain between the fragments, which the gap size changes.",
        "3.1 Results",
        "3.1.1 Radiographic and microCT assessment of healing",
        "As the gap size increased there was an increase in the ununited fracture classifications and a",
        "concomitant decrease in united rates, with the ununited rate more than doubling, however this was",
        "not significantly different with Fishers Exact comparison. Using the rigid fixator, this study",
        "demonstrated a predominant delayed union with an osteotomy gap of 1.5mm after 5 weeks.",
    ] + [f"Line {i} of a paragraph about the healing of the osteotomy, set out for review here." for i in range(8)]
    y = 100.0
    for i, line in enumerate(text):
        y += 30 if re.match(r"\d", line) or re.match(r"\d", text[i - 1]) else 16  # a heading: a text block of its own
        page.insert_text((33, y), str(235 + i), fontsize=12, fontname="tiro")
        page.insert_text((72, y), line, fontsize=12, fontname="tibo" if i == 0 else "tiro")
    doc.save(tmp_path / "manuscript.pdf")
    doc.close()
    parsed = parse_pdf(tmp_path / "manuscript.pdf", "ms", "0" * 64)
    prose = " ".join(b.text for b in parsed.blocks if b.kind == "prose")
    assert "a predominant delayed union" in prose and "increased there was" in prose
    assert not any(str(n) in prose.split() for n in range(235, 235 + len(text)))
    sections = {b.section for b in parsed.blocks if b.kind == "prose"}
    assert sections == {"1 Introduction", "3.1.1 Radiographic and microCT assessment of healing"}


def test_a_figure_label_larger_than_the_title_is_not_the_title(tmp_path: Path) -> None:
    # He et al. 2025 (PaSa): a 20 pt label of the first figure above the abstract, under the 14 pt title and its authors
    pdf = _page(
        tmp_path / "pasa.pdf",
        [
            (71, "PaSa: An LLM Agent for Comprehensive Academic Paper Search", 14.3, "tibo"),
            (91, "Yichen He, Guanhua Huang, Yuan Lin", 12, "tiro"),
            (109, "Yuchen Zhang, Hang Li, Weinan E", 12, "tiro"),
            (131, "ByteDance Research, Peking University", 12, "tiro"),
            (297, "Paper Search", 19.9, "helv"),
            (353, "Abstract", 12, "tibo"),
            (383, "We introduce PaSa, an advanced Paper Search agent powered by large language models.", 10.9, "tiro"),
        ],
    )
    front = read_front_matter(pdf)
    assert front.title == "PaSa: An LLM Agent for Comprehensive Academic Paper Search"
    assert front.authors == ["Yichen He", "Guanhua Huang", "Yuan Lin", "Yuchen Zhang", "Hang Li", "Weinan E"]


def test_an_accepted_manuscripts_cover_page_names_its_journal(tmp_path: Path) -> None:
    pdf = _page(
        tmp_path / "cover.pdf",
        [
            (60, "Accepted Manuscript", 14, "tibo"),
            (90, "The influence of gap size on the development of fracture union", 12, "tiro"),
            (120, "To appear in: Journal of the Mechanical Behavior of Biomedical Materials", 10, "tiro"),
            (134, "Received Date: 20 March 2019", 10, "tiro"),
        ],
    )
    front = read_front_matter(pdf)
    assert (front.venue, front.year) == ("Journal of the Mechanical Behavior of Biomedical Materials", 2019)


def test_a_name_broken_over_two_author_lines_is_read_whole(tmp_path: Path) -> None:
    # Wellawatte et al. 2023: "… Aditi Seshadri,‡ and Andrew" | "D. White∗,‡"
    pdf = _page(
        tmp_path / "xai.pdf",
        [
            (121, "A Perspective on Explanations of Molecular", 20.7, "tibo"),
            (163, "Prediction Models", 20.7, "tibo"),
            (211, "Geemi P. Wellawatte, Heta A. Gandhi, Aditi Seshadri, and Andrew", 14.3, "tiro"),
            (241, "D. White", 14.3, "tiro"),
            (280, "Department of Chemistry, University of Rochester, Rochester, NY, 14627", 12, "tiro"),
        ],
    )
    assert read_front_matter(pdf).authors == ["Geemi P. Wellawatte", "Heta A. Gandhi", "Aditi Seshadri", "Andrew D. White"]


def test_surnames_in_capitals_are_names_and_a_country_is_not(tmp_path: Path) -> None:
    # Douglas et al. 2014, Clinical Science (Portland Press): surnames in capitals with marks, and an affiliation whose
    # last line ("7935, South Africa") reads like a name; the running header gives journal and year
    pdf = _page(
        tmp_path / "portland.pdf",
        [
            (34, "Clinical Science (2014) 126, 305-313 (Printed in Great Britain) doi: 10.1042/CS20130403", 7, "helv"),
            (100, "Fragment-based design for the development", 20.9, "helv"),
            (123, "of N-domain-selective angiotensin-1-converting", 20.9, "helv"),
            (146, "enzyme inhibitors", 20.9, "helv"),
            (175, "Ross G. DOUGLAS*1, Rajni K. SHARMA*1, Geoffrey MASUYER#, Lizelle LUBBE*,", 9.5, "helv"),
            (186, "K. Ravi ACHARYA#, Kelly CHIBALE* and Edward D. STURROCK*", 9.5, "helv"),
            (208, "*Institute of Infectious Disease and Molecular Medicine, University of Cape Town, Observatory", 7, "helv"),
            (218, "7935, South Africa", 7, "helv"),
            (298, "Abstract", 10, "hebo"),
            (310, "ACE (angiotensin-1-converting enzyme) is a zinc metallopeptidase that plays a role.", 9, "helv"),
        ],
    )
    front = read_front_matter(pdf)
    assert front.title == (
        "Fragment-based design for the development of N-domain-selective angiotensin-1-converting enzyme inhibitors"
    )
    assert front.authors == [
        "Ross G. Douglas", "Rajni K. Sharma", "Geoffrey Masuyer", "Lizelle Lubbe",
        "K. Ravi Acharya", "Kelly Chibale", "Edward D. Sturrock",
    ]  # fmt: skip
    assert (front.venue, front.year) == ("Clinical Science", 2014)


def test_an_elsevier_masthead_a_spaced_abstract_heading_and_the_copyright_line(tmp_path: Path) -> None:
    # Özen et al. 2015, Solar Energy Materials & Solar Cells: the journal's name at 14.2 pt just above a 13.7 pt
    # title, "a b s t r a c t" set letter-spaced, and the abstract closed by the publisher's copyright line (the
    # affiliation letters after the names are superscripts there, which the parser drops)
    pdf = _page(
        tmp_path / "elsevier.pdf",
        [
            (36, "Solar Energy Materials & Solar Cells 137 (2015) 1-5", 6.5, "tiro"),
            (62, "Contents lists available at ScienceDirect", 8.1, "tiro"),
            (87, "Solar Energy Materials & Solar Cells", 14.2, "tiro"),
            (165, "Performance evaluation of a GaInP/GaAs solar cell structure", 13.7, "tiro"),
            (182, "with the integration of AlGaAs tunnel junction", 13.7, "tiro"),
            (205, "Yunus Ozen, Nihan Akin, Baris Kinaci, Suleyman Ozcelik", 10.8, "tiro"),
            (222, "a Photonics Application and Research Center, Gazi University, 06500 Ankara, Turkey", 6.5, "tiro"),
            (273, "a b s t r a c t", 9.1, "tiro"),
            (294, "It is found that the integration of the tunnel junction improves the device performance by 48%.", 7.3, "tiro"),
            (304, "& 2015 Elsevier B.V. All rights reserved.", 7.3, "tiro"),
            (344, "1. Introduction", 8.1, "tibo"),
        ],
    )
    front = read_front_matter(pdf)
    assert front.title == (
        "Performance evaluation of a GaInP/GaAs solar cell structure with the integration of AlGaAs tunnel junction"
    )
    assert front.authors == ["Yunus Ozen", "Nihan Akin", "Baris Kinaci", "Suleyman Ozcelik"]
    assert (front.venue, front.year) == ("Solar Energy Materials & Solar Cells", 2015)
    assert front.abstract.endswith("improves the device performance by 48%.")


def test_e_mail_addresses_beside_the_names_do_not_hide_them(tmp_path: Path) -> None:
    # Futoma et al. 2017 (JMLR W&C): each line of names carries its e-mail addresses on the same baseline
    pdf = _page(
        tmp_path / "jmlr.pdf",
        [
            (103, "An Improved Multi-Output Gaussian Process RNN with Real-Time", 14.3, "tibo"),
            (121, "Validation for Early Sepsis Detection", 14.3, "tibo"),
            (154, "Joseph Futoma, Sanjay Hariharan, Katherine Heller     JDF38,SH360,KH204@DUKE.EDU", 10.9, "tibo"),
            (167, "Department of Statistical Science", 10, "tiro"),
            (196, "Mark Sendak, Nathan Brajer     MPD10,NJB23@DUKE.EDU", 10.9, "tibo"),
            (209, "Institute for Health Innovation", 10, "tiro"),
        ],
    )
    assert read_front_matter(pdf).authors == [
        "Joseph Futoma", "Sanjay Hariharan", "Katherine Heller", "Mark Sendak", "Nathan Brajer"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("lines", "ends"),
    [
        # Hothorn & Hothorn 2009 (Biometrical Journal preprint): the publisher's notice opens the abstract
        (
            [
                "This is an preprint of an article to be published in Biometrical Journal. Copyright",
                "(c) 2009 WILEY-VCH Verlag GmbH & Co. KGaA, Weinheim; available online at http:",
                "//www.biometrical-journal.com.",
                "The Cochran-Armitage linear trend test for proportions is often used for genotype-",
                "based analysis of candidate gene association.",
                "1 Introduction",
            ],
            "The Cochran-Armitage",
        ),
        # Gal et al. 2009 (PLDI, ACM): the subject descriptors follow the abstract
        (
            [
                "We have measured speedups of 10x and more for certain benchmark programs.",
                "Categories and Subject Descriptors D.3.4 [Programming Languages]: Processors",
                "General Terms Design, Experimentation, Measurement, Performance.",
                "1. Introduction",
            ],
            "We have measured",
        ),
    ],
)
def test_notices_and_descriptors_are_not_the_abstract(tmp_path: Path, lines: list[str], ends: str) -> None:
    rows = [(100, "Order-restricted Scores Test for the Evaluation of Studies", 17, "tibo")]
    rows += [(140, "Ludwig A. Hothorn", 12, "tiro")]
    rows += [(200, "Abstract", 10, "tibo")] + [(214 + 12 * i, text, 10, "tiro") for i, text in enumerate(lines)]
    abstract = read_front_matter(_page(tmp_path / "abstract.pdf", rows)).abstract
    assert abstract.startswith(ends)
    assert not re.search(r"Copyright|WILEY|Categories|General Terms", abstract), abstract


def test_a_bmj_footer_gives_journal_and_year(tmp_path: Path) -> None:
    # Huang et al. 2010, Postgrad Med J: the year is printed only in the page's footer
    pdf = _page(
        tmp_path / "bmj.pdf",
        [
            (56, "Iron deficiency anaemia can be improved after", 19.9, "tibo"),
            (76, "eradication of Helicobacter pylori", 19.9, "tibo"),
            (103, "Xiaolu Huang, Xinhua Qu, Weili Yan", 13, "tiro"),
            (800, "272 Postgrad Med J 2010;86:272e278. doi:10.1136/pgmj.2009.089987", 7, "tiro"),
        ],
        created="D:20100301000000Z",
    )
    front = read_front_matter(pdf)
    assert (front.venue, front.year) == ("Postgrad Med J", 2010)


def test_a_letter_spaced_abstract_heading_opens_the_abstract(tmp_path: Path) -> None:
    # Elsevier sets "a b s t r a c t" letter-spaced: its findings were read as front matter and never as claims
    lines = [
        (100, "Performance evaluation of a GaInP/GaAs solar cell structure", 13.7, "tibo"),
        (130, "Yunus Ozen, Nihan Akin", 10.8, "tiro"),
        (170, "a b s t r a c t", 9.1, "tiro"),
        (185, "It is found that the integration of the tunnel junction into a solar cell structure", 8.1, "tiro"),
        (196, "improves the device performance by 48%.", 8.1, "tiro"),
        (230, "1. Introduction", 8.1, "tibo"),
        (245, "According to literature, solar cells can be divided into four groups of devices.", 8.1, "tiro"),
    ]
    doc = parse_pdf(_page(tmp_path / "elsevier.pdf", lines), "els", "0" * 64)
    prose = [b for b in doc.blocks if b.kind == "prose"]
    assert [(b.section, b.text[:10]) for b in prose if b.section != "Front matter"] == [
        ("Abstract", "It is foun"),
        ("1. Introduction", "According "),
    ]


def test_an_author_contribution_heading_is_back_matter() -> None:
    from synth.ingest.pdf import heading_of

    # Douglas et al. 2014 (Clinical Science) head the paragraph "AUTHOR CONTRIBUTION", in the singular
    assert heading_of("AUTHOR CONTRIBUTION", 1) == "AUTHOR CONTRIBUTION"


def _front_page(
    path: Path,
    title: str,
    names: list[tuple[str, str]],
    size: float,
    affiliation: str,
    abstract: str,
    more: tuple[tuple[float, str, float, str], ...] = (),
    meta_title: str = "",
) -> Path:
    """A first page: ``title``, an author line of ``names`` at ``size``, each followed by its affiliation marks raised in
    a smaller size, the first affiliation, the abstract's first line and ``more`` lines (see :func:`_page`)."""

    def author_line(page: pymupdf.Page) -> None:
        x = 72.0
        for name, mark in names:
            page.insert_text((x, 140), name, fontsize=size, fontname="tiro")
            x += pymupdf.get_text_length(name, fontname="tiro", fontsize=size)
            page.insert_text((x, 140 - size * 0.45), mark, fontsize=size * 0.67, fontname="tiro")
            x += pymupdf.get_text_length(mark, fontname="tiro", fontsize=size * 0.67)

    lines = [(110.0, title, 17.0, "tiro"), (165.0, affiliation, 8.0, "tiro"), (200.0, "Abstract", 9.0, "tibo")]
    return _page(path, [*lines, (215.0, abstract, 9.0, "tiro"), *more], title=meta_title, draw=author_line)


def test_a_doi_in_the_title_field_is_no_title_and_raised_affiliation_letters_are_no_name(tmp_path: Path) -> None:
    # Lane et al. 2005, Journal of Hydrology (Elsevier): the PDF's title field holds the DOI, which the page prints in
    # its footer; the author line raises "a,c," after each name in a smaller size
    path = _front_page(
        tmp_path / "hydrology.pdf",
        "The response of flow duration curves to afforestation",
        [("Patrick N.J. Lane", "a,c,"), ("*, Alice E. Best", "b,c,d"), (", Lu Zhang", "b,c")],
        13,
        "aSchool of Forest and Ecosystem Studies, University of Melbourne",
        "The hydrologic effect of replacing pasture with trees is well understood.",
        more=(
            (60, "Journal of Hydrology 310 (2005) 253-265", 8, "tiro"),
            (760, "doi:10.1016/j.jhydrol.2005.01.006", 8, "tiro"),
        ),
        meta_title="doi:10.1016/j.jhydrol.2005.01.006",
    )
    front = read_front_matter(path)
    assert front.title == "The response of flow duration curves to afforestation"
    assert front.authors == ["Patrick N.J. Lane", "Alice E. Best", "Lu Zhang"]


def test_raised_affiliation_letters_with_a_footnote_number_are_no_name(tmp_path: Path) -> None:
    # Trbušić, Maleš and Sikić's manuscript (elsarticle): each name raises its affiliation letter, then a footnote
    # number and a star, "a,1,∗"; read as part of the name, the first author was "Davor Trbusica"
    path = _front_page(
        tmp_path / "elsarticle.pdf",
        "Native advertising as a content marketing strategy",
        [("Davor Trbusic", "a,1,*"), (", Drazen Males", "b"), (", Luka Sikic", "a,2")],
        11,
        "aCatholic University of Croatia, Ilica 242, Zagreb, Croatia",
        "Native advertising blends paid content into the editorial flow of news portals.",
    )
    assert read_front_matter(path).authors == ["Davor Trbusic", "Drazen Males", "Luka Sikic"]


def test_an_article_type_label_is_not_part_of_the_title_and_the_volume_year_dates_it(tmp_path: Path) -> None:
    # Tully et al., Rehabilitation Research and Practice (Hindawi, 2010), a file made in 2011
    pdf = _page(
        tmp_path / "hindawi.pdf",
        [
            (45, "Hindawi Publishing Corporation", 8, "tiro"),
            (54, "Rehabilitation Research and Practice", 8, "tiro"),
            (64, "Volume 2010, Article ID 157939, 6 pages", 8, "tiro"),
            (136, "Research Article", 18, "tibo"),
            (160, "Patient Experiences of Structured Heart Failure Programmes", 18, "tibo"),
            (209, "Nuala E. Tully, Karen M. Morgan, Helen M. Burke, and Hannah M. McGee", 12, "tiro"),
            (231, "Division of Population Health Sciences, Royal College of Surgeons in Ireland", 9, "tiro"),
            (318, "Copyright (c) 2010 Nuala E. Tully et al. This is an open access article.", 9, "tiro"),
        ],
        created="D:20110104120000",
    )
    front = read_front_matter(pdf)
    assert front.title == "Patient Experiences of Structured Heart Failure Programmes"
    assert (front.venue, front.year) == ("Rehabilitation Research and Practice", 2010)


def test_the_copyright_line_dates_a_paper_whose_header_names_no_known_venue(tmp_path: Path) -> None:
    # Lupker & Davis 2009 (APA): "2009, Vol. 35, No. 3" and "© 2009 American Psychological Association" in the header
    pdf = _page(
        tmp_path / "apa.pdf",
        [
            (52, "Journal of Experimental Psychology: (c) 2009 American Psychological Association", 6, "tiro"),
            (64, "2009, Vol. 35, No. 3, 618-639", 6, "tiro"),
            (90, "Sandwich Priming: A Method for Overcoming the Limitations of Masked", 16, "tiro"),
            (108, "Priming by Reducing Lexical Competitor Effects", 16, "tiro"),
            (145, "Stephen J. Lupker", 11, "tiro"),
            (181, "An orthographically similar masked nonword prime facilitates responding.", 8, "tiro"),
        ],
        created="D:20130301000000",
    )
    assert read_front_matter(pdf).year == 2009


def test_a_continued_on_next_page_note_is_not_part_of_the_next_sentence(tmp_path: Path) -> None:
    # Dodd et al. 2014 (BMC Medicine): the structured abstract breaks over pages under "(Continued on next page)",
    # which was read as the start of "Results: Women randomised to Lifestyle Advice demonstrated …"
    path = tmp_path / "bmc.pdf"
    doc = pymupdf.open()
    first = doc.new_page()
    first.insert_text((72, 100), "Effects of antenatal lifestyle advice on maternal diet", fontsize=16, fontname="tibo")
    first.insert_text((72, 140), "Methods: Women were randomised to Lifestyle Advice or Standard Care, with", fontsize=10)
    first.insert_text((72, 152), "their treatment group allocated using the stratification variables.", fontsize=10)
    first.insert_text((72, 166), "(Continued on next page)", fontsize=8)
    second = doc.new_page()
    second.insert_text(
        (72, 80), "Results: Women randomised to Lifestyle Advice demonstrated an increase in the servings", fontsize=10
    )
    second.insert_text(
        (72, 92), "of fruit and vegetables consumed per day, compared with women receiving Standard Care.", fontsize=10
    )
    doc.save(path)
    doc.close()
    text = " ".join(b.text for b in parse_pdf(path, "p", "local").blocks)
    assert "Continued" not in text
    assert "Results: Women randomised to Lifestyle Advice demonstrated" in text


def test_a_subsection_that_states_its_finding_is_a_heading_not_the_start_of_the_sentence_under_it(tmp_path: Path) -> None:
    # Semprebon and Rivals 2010 (Palaeogeography, Palaeoclimatology, Palaeoecology): the conclusions' subsections state
    # their findings in italics over two lines; read as prose, the heading ran into "Average scratch counts are …"
    lines = [(70, "5. Conclusions", 10, "tibo"), (90, "The paleodietary record of camels is long and varied.", 10, "tiro")]
    lines += [(120, "5.2. Crown height in camels is not correlated with an increase in grass", 10, "tiit"),
              (132, "consumption", 10, "tiit")]  # fmt: skip
    body = [
        "Average scratch counts are very consistent through time in these fossil camelids",
        "and are characteristically low, as in the browsers and mixed feeders of today.",
    ]
    lines += [(152 + 12 * i, t, 10, "tiro") for i, t in enumerate(body)]
    doc = parse_pdf(_page(tmp_path / "palaeo3.pdf", lines), "p", "0" * 64)
    heads = [b.text for b in doc.blocks if b.kind == "heading"]
    assert "5.2. Crown height in camels is not correlated with an increase in grass consumption" in heads
    prose = [b.text for b in doc.blocks if b.kind == "prose"]
    assert any(t.startswith("Average scratch counts are very consistent") for t in prose), prose
