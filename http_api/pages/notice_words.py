"""The words of the two public notices (issue 12), Romanian first and English second: the
accessibility statement (`/accesibilitate`, after the EU model statement of Implementing Decision
(EU) 2018/1523) and the privacy notice (`/confidentialitate`). `http_api.pages.words` merges them
into the page word table, so templates read them with `w(...)` like every other page word.

Placeholders in braces are filled by the template from the settings (`{city}`, `{days}`, …), so a
figure on the page is always the one the system runs with. Facts only the city knows (its address,
phone, the Webex recordings' retention) come from settings too, or show `to_fill`.
"""

from __future__ import annotations

from typing import Final

NOTICE_WORDS: Final[dict[str, tuple[str, str]]] = {
    # --- the footer and the shared bits --------------------------------------------------------------
    "footer_accessibility": ("Declarație de accesibilitate", "Accessibility statement"),
    "footer_privacy": ("Confidențialitate", "Privacy"),
    "footer_nav": ("Informații despre site", "About this site"),
    "to_fill": ("[de completat de primărie: {what}]", "[to be filled in by the city hall: {what}]"),
    "fill_postal_address": ("adresa poștală", "postal address"),
    "fill_phone": ("telefonul", "phone number"),
    "fill_recording_retention": (
        "cât păstrează site-ul Webex înregistrările",
        "how long the Webex site keeps recordings",
    ),
    "fill_log_rotation": ("cât se păstrează jurnalele serverului", "how long the server logs are kept"),
    # --- the accessibility statement -----------------------------------------------------------------
    "a11y_title": ("Declarație de accesibilitate", "Accessibility statement"),
    "a11y_intro": (
        "{city} se angajează să facă accesibil serviciul Tichet Albastru, în conformitate cu "
        "Ordonanța de urgență a Guvernului nr. 112/2018 privind accesibilitatea site-urilor web și a "
        "aplicațiilor mobile ale organismelor din sectorul public, care transpune Directiva (UE) "
        "2016/2102.",
        "{city} is committed to making the Blue Ticket service accessible, in accordance with "
        "Government Emergency Ordinance no. 112/2018 on the accessibility of the websites and mobile "
        "applications of public sector bodies, which transposes Directive (EU) 2016/2102.",
    ),
    "a11y_scope": (
        "Declarația se aplică paginilor pentru cetățeni (cererea unui tichet, alegerea intervalului, "
        "confirmarea, pagina tichetului deschisă din linkul primit pe e-mail, evaluarea și escaladarea) "
        "și aplicației web a funcționarilor, de la adresa /personal.",
        "This statement applies to the citizens' pages (asking for a ticket, choosing a slot, the "
        "confirmation, the ticket's page opened from the emailed link, the rating and the escalation) "
        "and to the clerks' web application at /personal.",
    ),
    "a11y_status_title": ("Stadiul conformității", "Compliance status"),
    "a11y_status": (
        "Acest site este parțial conform cu cerințele WCAG 2.1 nivelul AA și ale standardului european "
        "EN 301 549 V3.2.1, din cauza neconformităților și excepțiilor enumerate mai jos.",
        "This website is partially compliant with WCAG 2.1 level AA and the European standard EN 301 549 "
        "V3.2.1, due to the non-compliances and the exemptions listed below.",
    ),
    "a11y_what_holds": (
        "Paginile noastre se pot folosi doar cu tastatura, au focalizare vizibilă, anunță erorile din "
        "formulare lângă câmpul greșit și într-un rezumat la începutul formularului, declară limba "
        "paginii și se pot citi pe un ecran lat de 390 px fără derulare orizontală.",
        "Our pages can be used with a keyboard alone, show where the focus is, announce form errors next "
        "to the wrong field and in a summary at the top of the form, declare the page's language, and "
        "read on a 390 px wide screen without horizontal scrolling.",
    ),
    "a11y_not_accessible_title": ("Conținut care nu este accesibil", "Non-accessible content"),
    "a11y_noncompliance_title": ("Neconformități", "Non-compliance"),
    "a11y_pdf": (
        "Documentul PDF al rezoluției, trimis pe e-mail, nu are structură (etichete) pentru cititoarele "
        "de ecran: titlurile și listele nu se disting de text (criteriul 1.3.1). Îl puteți cere în alt "
        "format prin formularul de mai jos.",
        "The resolution's PDF document, sent by email, has no structure (tags) for screen readers "
        "(criterion 1.3.1): its headings and lists are not told apart from the text. You can ask for it in "
        "another format through the form below.",
    ),
    "a11y_session": (
        "Sesiunea funcționarilor din aplicația /personal se încheie după 8 ore fără avertisment "
        "(criteriul 2.2.1); după o nouă autentificare, un formular netrimis trebuie completat din nou.",
        "A clerk's session in the /personal application ends after 8 hours without a warning (criterion "
        "2.2.1); after signing in again, a form that was not sent has to be filled in again.",
    ),
    "a11y_burden_title": ("Sarcină disproporționată", "Disproportionate burden"),
    "a11y_burden": (
        "Nu invocăm sarcina disproporționată pentru niciun conținut.",
        "We do not claim disproportionate burden for any content.",
    ),
    "a11y_outside_title": (
        "Conținut care nu intră în domeniul legislației aplicabile",
        "Content outside the scope of the applicable legislation",
    ),
    "a11y_outside": (
        "Conținutul furnizat de terți pe care primăria nu îl controlează: întâlnirea Webex și "
        "înregistrările ei (Cisco), interfața Temporal folosită de echipa tehnică (Temporal "
        "Technologies), paginile de documentație a API-ului /docs și /redoc (Swagger UI și ReDoc) și "
        "felul în care programul dumneavoastră de e-mail afișează mesajele noastre.",
        "Third-party content the city hall does not control: the Webex meeting and its recordings "
        "(Cisco), the Temporal user interface used by the technical team (Temporal Technologies), the API "
        "documentation pages /docs and /redoc (Swagger UI and ReDoc), and the way your email program "
        "shows our messages.",
    ),
    "a11y_preparation_title": ("Întocmirea declarației", "Preparation of this statement"),
    "a11y_prepared_on": (
        "Declarația a fost întocmită și revizuită ultima dată la {date}.",
        "This statement was prepared and last reviewed on {date}.",
    ),
    "a11y_method": (
        "Metoda: autoevaluare, sprijinită de teste automate care rulează la fiecare modificare a "
        "aplicației (tests/, comanda make test): axe-core în browserul Chromium pe fiecare pagină și pe "
        "fiecare stare de eroare, în română și în engleză, și tot parcursul cetățeanului și al "
        "funcționarului făcut doar cu tastatura.",
        "Method: self-assessment, supported by automated tests that run on every change to the "
        "application (tests/, the make test command): axe-core in the Chromium browser on every page and "
        "every error state, in Romanian and English, and the whole citizen's and clerk's journey done by "
        "keyboard only.",
    ),
    "a11y_feedback_title": ("Feedback și date de contact", "Feedback and contact information"),
    "a11y_feedback_intro": (
        "Ați întâlnit o problemă de accesibilitate, sau aveți nevoie de un conținut de aici într-un format "
        "accesibil? Scrieți-ne prin formularul de mai jos sau la adresa de e-mail a primăriei. Răspundem "
        "în termenul legal de 30 de zile (Ordonanța Guvernului nr. 27/2002 privind petițiile).",
        "Did you meet an accessibility problem, or do you need content from here in an accessible "
        "format? Write to us with the form below or at the city hall's email address. We answer within "
        "the legal term of 30 days (Government Ordinance no. 27/2002 on petitions).",
    ),
    "a11y_contact_email": ("E-mail", "Email"),
    "a11y_contact_phone": ("Telefon", "Phone"),
    "a11y_contact_address": ("Adresă", "Address"),
    "a11y_form_title": ("Semnalați o problemă de accesibilitate", "Report an accessibility problem"),
    "a11y_form_name": ("Numele dumneavoastră (opțional)", "Your name (optional)"),
    "a11y_form_email": ("E-mail pentru răspuns", "Email for our answer"),
    "a11y_form_page": ("Pagina sau documentul (opțional)", "Page or document (optional)"),
    "a11y_form_page_hint": (
        "de exemplu: pagina tichetului, sau rezoluția PDF",
        "for example: the ticket's page, or the resolution PDF",
    ),
    "a11y_form_message": ("Ce nu a funcționat", "What did not work"),
    "a11y_form_message_hint": (
        "Descrieți ce ați încercat, ce s-a întâmplat și, dacă doriți, ce tehnologie asistivă folosiți.",
        "Describe what you tried, what happened and, if you like, which assistive technology you use.",
    ),
    "a11y_form_privacy": (
        "Folosim aceste date doar ca să vă răspundem; le ștergem după {days}. Detalii: ",
        "We use these details only to answer you; we erase them after {days}. Details: ",
    ),
    "a11y_form_send": ("Trimite mesajul", "Send the message"),
    "a11y_sent": (
        "Mesajul a fost trimis primăriei. Vă răspundem pe e-mail.",
        "Your message was sent to the city hall. We will answer by email.",
    ),
    "a11y_enforcement_title": ("Procedura de asigurare a respectării", "Enforcement procedure"),
    "a11y_enforcement": (
        "Dacă nu primiți un răspuns în termen sau nu sunteți mulțumit(ă) de el, vă puteți adresa "
        "Autorității pentru Digitalizarea României (ADR), organismul care monitorizează aplicarea OUG "
        "112/2018 (www.adr.gov.ro). Vă puteți adresa și instanței de contencios administrativ.",
        "If you get no answer in time, or are not satisfied with it, you can turn to the Romanian "
        "Digitalisation Authority (Autoritatea pentru Digitalizarea României, ADR), the body that "
        "monitors the application of GEO 112/2018 (www.adr.gov.ro). You can also turn to the "
        "administrative court.",
    ),
    # --- the privacy notice --------------------------------------------------------------------------
    "privacy_title": ("Informare privind prelucrarea datelor personale", "Privacy notice"),
    "privacy_intro": (
        "{city} este operatorul datelor personale prelucrate de serviciul Tichet Albastru, potrivit "
        "Regulamentului (UE) 2016/679 (GDPR) și Legii nr. 190/2018. Mai jos: ce păstrăm, de ce și cât timp.",
        "{city} is the controller of the personal data the Blue Ticket service processes, under "
        "Regulation (EU) 2016/679 (GDPR) and Law no. 190/2018. Below: what we keep, why, and for how long.",
    ),
    "privacy_controller": ("Operator", "Controller"),
    "privacy_dpo": ("Responsabilul cu protecția datelor", "Data protection officer"),
    "privacy_table_title": ("Ce păstrăm, de ce și cât timp", "What we keep, why, and for how long"),
    "privacy_col_what": ("Ce", "What"),
    "privacy_col_why": ("De ce (temeiul legal)", "Why (legal basis)"),
    "privacy_col_how_long": ("Cât timp", "How long"),
    "privacy_ticket_what": (
        "Numele, e-mailul și telefonul dumneavoastră, intervalul ales, istoricul tichetului și concluziile "
        "întâlnirii (criptate)",
        "Your name, email and phone, the chosen slot, the ticket's history and the meeting's conclusions "
        "(encrypted)",
    ),
    "privacy_ticket_why": (
        "Programarea și ținerea întâlnirii despre dosarul dumneavoastră: o sarcină de interes public a "
        "primăriei (art. 6 alin. (1) lit. e) GDPR)",
        "Booking and holding the meeting about your file: a task in the public interest of the city hall "
        "(Art. 6(1)(e) GDPR)",
    ),
    "privacy_ticket_how_long": (
        "Cât timp tichetul este deschis; datele de contact se șterg la {contact_days} după ultima "
        "întâlnire, iar istoricul unui tichet încheiat se șterge după {temporal_days}",
        "While the ticket is open; contact details are erased {contact_days} after the last meeting, "
        "and a closed ticket's history is deleted after {temporal_days}",
    ),
    "privacy_archive_what": (
        "Numărul dosarului, datele întâlnirii, funcționarul, rezultatul, rezoluția înregistrată (PDF) și "
        "referința înregistrării întâlnirii",
        "The file number, the meeting's dates, the clerk, the outcome, the registered resolution (PDF) and "
        "the reference of the meeting's recording",
    ),
    "privacy_archive_why": (
        "Obligația legală de arhivare a documentelor emise (art. 6 alin. (1) lit. c) GDPR; Legea "
        "Arhivelor Naționale nr. 16/1996)",
        "The legal obligation to archive the documents issued (Art. 6(1)(c) GDPR; National Archives Law "
        "no. 16/1996)",
    ),
    "privacy_archive_how_long": (
        "Termenele din nomenclatorul arhivistic al primăriei; nu se șterg la cerere",
        "The terms of the city hall's archive schedule; not erased on request",
    ),
    "privacy_recording_what": ("Înregistrarea întâlnirii Webex", "The recording of the Webex meeting"),
    "privacy_recording_why": (
        "Dovada audienței, cum cere regulamentul serviciului (art. 6 alin. (1) lit. e) GDPR)",
        "Evidence of the audience, as the service's rules require (Art. 6(1)(e) GDPR)",
    ),
    "privacy_rating_what": (
        "Nota (stele) și comentariul dumneavoastră după întâlnire",
        "Your rating (stars) and comment after the meeting",
    ),
    "privacy_rating_why": (
        "Măsurarea calității serviciului (art. 6 alin. (1) lit. e) GDPR)",
        "Measuring the quality of the service (Art. 6(1)(e) GDPR)",
    ),
    "privacy_rating_how_long": (
        "Comentariul se șterge odată cu datele de contact ({contact_days}); stelele rămân, fără "
        "nume, în statistici",
        "The comment is erased with the contact details ({contact_days}); the stars stay, without a "
        "name, in the statistics",
    ),
    "privacy_feedback_what": (
        "Numele, e-mailul și mesajul trimise prin formularul declarației de accesibilitate",
        "The name, email and message sent with the accessibility statement's form",
    ),
    "privacy_feedback_why": (
        "Răspunsul la sesizările de accesibilitate, obligație legală (art. 6 alin. (1) lit. c) GDPR; "
        "OUG 112/2018)",
        "Answering accessibility feedback, a legal obligation (Art. 6(1)(c) GDPR; GEO 112/2018)",
    ),
    "privacy_feedback_how_long": (
        "Se șterg la {contact_days} de la primire; rămâne doar pagina despre care ați scris",
        "Erased {contact_days} after we receive them; only the page you wrote about stays",
    ),
    "privacy_registry_what": (
        "Numele solicitantului din registrul de dosare al primăriei",
        "The applicant's name in the city hall's file registry",
    ),
    "privacy_registry_why": (
        "Registratura primăriei (art. 6 alin. (1) lit. c) GDPR); acest serviciu doar o citește",
        "The city hall's registry (Art. 6(1)(c) GDPR); this service only reads it",
    ),
    "privacy_registry_how_long": (
        "Regulile registraturii; serviciul nu o modifică",
        "The registry's own rules; this service never changes it",
    ),
    "privacy_logs_what": (
        "Adresa IP, pagina (fără parametri) și ora fiecărei cereri",
        "The IP address, the page (without its parameters) and the time of every request",
    ),
    "privacy_logs_why": (
        "Securitatea serviciului și limitarea abuzurilor (art. 6 alin. (1) lit. e) GDPR)",
        "Keeping the service secure and limiting abuse (Art. 6(1)(e) GDPR)",
    ),
    "privacy_processors_title": ("Cui transmitem datele", "Who receives the data"),
    "privacy_processors": (
        "Cisco Webex (întâlnirea video și înregistrarea ei) și serverul de e-mail al primăriei, ca "
        "persoane împuternicite. Nu vindem și nu publicăm datele.",
        "Cisco Webex (the video meeting and its recording) and the city hall's email server, as "
        "processors. We neither sell nor publish the data.",
    ),
    "privacy_rights_title": ("Drepturile dumneavoastră", "Your rights"),
    "privacy_rights": (
        "Aveți dreptul de acces, de rectificare, de ștergere, de restricționare și de opoziție (art. 15-21 "
        "GDPR).",
        "You have the rights of access, rectification, erasure, restriction and objection (Art. 15-21 GDPR).",
    ),
    "privacy_right_access": (
        "Acces: din linkul secret primit pe e-mail, pagina tichetului oferă „Descarcă datele mele”: tot "
        "ce păstrează primăria despre tichet (JSON).",
        "Access: from the secret link in your email, the ticket's page offers “Download my data”: "
        "everything the city hall keeps about the ticket (JSON).",
    ),
    "privacy_right_erasure": (
        "Ștergere: după ce tichetul s-a încheiat, aceeași pagină oferă „Șterge datele mele de contact”. "
        "Arhiva rămâne, cum cere legea.",
        "Erasure: once the ticket has closed, the same page offers “Erase my contact data”. The archive "
        "stays, as the law requires.",
    ),
    "privacy_right_other": (
        "Pentru celelalte drepturi scrieți responsabilului cu protecția datelor. Aveți și dreptul de a "
        "depune o plângere la Autoritatea Națională de Supraveghere a Prelucrării Datelor cu Caracter "
        "Personal (www.dataprotection.ro).",
        "For the other rights, write to the data protection officer. You may also complain to the "
        "Romanian data protection authority, ANSPDCP (www.dataprotection.ro).",
    ),
}
