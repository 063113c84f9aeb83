import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";

/**
 * Browser tours of topgeschenken_oci, driven by tests/test_tours.py.
 *
 * The webshop runs on another origin, where a tour cannot follow: the tours
 * stop at the shop and the test plays the shop's step over real HTTP (it posts
 * the cart to the HOOK_URL, as the shop's page does). Every Odoo screen is
 * clicked through here.
 */

const LINES = ".o_form_view .o_field_widget[name='order_line'] tr.o_data_row";
const CARD_TEXT = "Fijne feestdagen! — Team Zorg";

/**
 * Ask the test for a screenshot of the screen as it is now, and wait until it
 * is taken (the test marks <body> with the screenshot's name).
 *
 * @param {string} name file name without extension
 */
export function screenshot(name) {
    return [
        {
            content: `Screenshot ${name}`,
            trigger: "body:not(:has(.o_loading_indicator))",
            run() {
                console.log(`topgeschenken_oci:screenshot:${name}`);
            },
        },
        {
            content: `Wait for screenshot ${name}`,
            trigger: `body[data-tgoci-screenshot='${name}']`,
        },
    ];
}

function statusIs(label) {
    return {
        content: `The order is "${label}"`,
        trigger: `.o_form_view .o_statusbar_status .o_arrow_button_current:contains('${label}')`,
    };
}

registry.category("web_tour.tours").add("topgeschenken_oci_punchout_from_request", {
    steps: () => [
        {
            content: "The buyer's purchase request is open",
            trigger: ".o_form_view .o_form_statusbar button[name='action_oci_punchout']:contains('Punch out to Topgeschenken')",
        },
        ...screenshot("punchout_button"),
        {
            content: "Catch the tab the punchout opens (the webshop is on another origin)",
            trigger: "button[name='action_oci_punchout']",
            run() {
                browser.open = (url) => {
                    document.body.dataset.tgociOpened = url;
                    return { closed: false };
                };
            },
        },
        {
            content: "Punch out to the webshop",
            trigger: "button[name='action_oci_punchout']",
            run: "click",
        },
        {
            content: "The webshop's start page opens in a new tab",
            trigger: "body[data-tgoci-opened]",
            run() {
                const url = document.body.dataset.tgociOpened;
                if (!/^\/punchout\/session\/\d+\/go$/.test(url)) {
                    throw new Error(`The punchout opened ${url}, not a session's start page`);
                }
            },
        },
        {
            content: "Odoo says the shop opened in a new tab, and where the cart goes",
            trigger: ".o_notification:contains('opened in a new tab'):contains('linked to')",
        },
        {
            content: "The request counts its punchout",
            trigger: ".o_form_view button[name='action_view_oci_sessions'] .o_stat_value:contains('1')",
        },
    ],
});

registry.category("web_tour.tours").add("topgeschenken_oci_buyer_in_dutch", {
    steps: () => [
        {
            content: "The request speaks Dutch: Punch-out naar Topgeschenken",
            trigger: ".o_form_view .o_form_statusbar button[name='action_oci_punchout']:contains('Punch-out naar Topgeschenken')",
        },
        {
            content: "Catch the tab the punchout opens",
            trigger: "button[name='action_oci_punchout']",
            run() {
                browser.open = (url) => {
                    document.body.dataset.tgociOpened = url;
                    return { closed: false };
                };
            },
        },
        {
            content: "Punch out",
            trigger: "button[name='action_oci_punchout']",
            run: "click",
        },
        {
            content: "The webshop opens in a new tab, and Odoo says so",
            trigger: "body[data-tgoci-opened] .o_notification:contains('Topgeschenken.nl')",
        },
        {
            content: "The request counts its punch-out",
            trigger: ".o_form_view button[name='action_view_oci_sessions']:contains('Punch-outs') .o_stat_value:contains('1')",
        },
    ],
});

registry.category("web_tour.tours").add("topgeschenken_oci_rfq_in_dutch", {
    steps: () => [
        {
            content: "The RFQ from the cart",
            trigger: `${LINES}:eq(0):contains('Kerstpakket Deluxe')`,
        },
        {
            content: "Open the optional columns",
            trigger: ".o_form_view .o_field_widget[name='order_line'] .o_optional_columns_dropdown button",
            run: "click",
        },
        {
            content: "The webshop's columns, in Dutch",
            trigger: ".o-dropdown--menu:contains('Kaarttekst'):contains('Kaartlogo'):contains('Prijseenheid (winkelwagen)'):contains('NZI-code')",
        },
        {
            content: "Show the price unit of the cart",
            trigger: ".o-dropdown--menu input[name='oci_price_unit_qty']:not(:checked)",
            run: "click",
        },
        {
            content: "The bonbons were priced per 10",
            trigger: `${LINES}:eq(1) td[name='oci_price_unit_qty']:contains('10')`,
        },
        {
            content: "Confirm in Dutch: Bevestig order",
            trigger: ".o_form_view .o_form_statusbar button#draft_confirm:contains('Bevestig order')",
        },
    ],
});

registry.category("web_tour.tours").add("topgeschenken_oci_rfq_from_cart", {
    steps: () => [
        {
            content: "The cart came back as an RFQ from the webshop",
            trigger: ".o_form_view .o_field_widget[name='oci_webshop_id']:contains('Topgeschenken')",
        },
        statusIs("RFQ"),
        {
            content: "The first cart line",
            trigger: `${LINES}:eq(0):contains('Kerstpakket Deluxe'):has(td[name='product_qty']:contains('12.00')):has(td[name='price_unit']:contains('49.95'))`,
        },
        {
            content: "The second cart line: PRICEUNIT 10 gives the price of one bonbon",
            trigger: `${LINES}:eq(1):contains('Bonbons'):has(td[name='product_qty']:contains('30.00')):has(td[name='price_unit']:contains('1.25'))`,
        },
        {
            content: "Show the card text column",
            trigger: ".o_form_view .o_field_widget[name='order_line'] .o_optional_columns_dropdown button",
            run: "click",
        },
        {
            content: "Tick Card text",
            trigger: ".o-dropdown--menu input[name='oci_card_text']:not(:checked)",
            run: "click",
        },
        {
            content: "Close the column menu",
            trigger: ".o_form_view .o_field_widget[name='order_line'] .o_optional_columns_dropdown button",
            run: "click",
        },
        {
            content: "The greeting card text of the cart",
            trigger: `${LINES}:eq(0) td[name='oci_card_text']:contains('${CARD_TEXT}')`,
        },
        {
            trigger: "body:not(:has(.o-dropdown--menu))",
        },
        ...screenshot("rfq_from_cart"),
        {
            content: "Confirm the order",
            trigger: ".o_form_view .o_form_statusbar button#draft_confirm",
            run: "click",
        },
        statusIs("To Approve"),
        {
            content: "Nothing is sent to the shop before the approval",
            trigger: ".o_form_view:not(:has(button[name='action_view_oci_transmissions']:visible))",
        },
    ],
});

registry.category("web_tour.tours").add("topgeschenken_oci_approve_order", {
    steps: () => [
        statusIs("To Approve"),
        {
            content: "Approve the order",
            trigger: ".o_form_view .o_form_statusbar button[name='button_approve']",
            run: "click",
        },
        statusIs("Purchase Order"),
        {
            content: "The order waits to be sent to the webshop",
            trigger: ".o_form_view button[name='action_view_oci_transmissions'] .o_stat_value:contains('To send')",
        },
    ],
});

registry.category("web_tour.tours").add("topgeschenken_oci_order_acknowledged", {
    steps: () => [
        statusIs("Purchase Order"),
        {
            content: "The webshop acknowledged the order",
            trigger: ".o_form_view button[name='action_view_oci_transmissions'] .o_stat_value:contains('Acknowledged')",
        },
        {
            content: "Odoo counts it acknowledged by the vendor: no Acknowledge button",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name='action_acknowledge']))",
        },
        {
            content: "The shop's order number",
            trigger: ".o_form_view .o_field_widget[name='partner_ref']:contains('TG-100001'), .o_form_view .o_field_widget[name='partner_ref'] input:value('TG-100001')",
        },
        ...screenshot("order_acknowledged"),
        {
            content: "Open the transmission",
            trigger: ".o_form_view button[name='action_view_oci_transmissions']",
            run: "click",
        },
        {
            content: "The transmission is acknowledged",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Acknowledged')",
        },
        {
            content: "with the shop's order number",
            trigger: ".o_form_view .o_field_widget[name='supplier_order_ref']:contains('TG-100001')",
        },
        ...screenshot("transmission_state"),
    ],
});

registry.category("web_tour.tours").add("topgeschenken_oci_bills_to_review_empty", {
    steps: () => [
        {
            content: "No bill to review: the list says what arrives here and why",
            trigger: ".o_action_manager .o_view_nocontent:contains('No vendor bill waits for a look'):contains('do not match their purchase order')",
        },
        {
            content: "without sample bills",
            trigger: ".o_action_manager:not(:has(.o_view_sample_data))",
        },
    ],
});

registry.category("web_tour.tours").add("topgeschenken_oci_bills_to_review", {
    steps: () => [
        {
            content: "The bills to review, grouped by match status: open the price deviations",
            trigger: ".o_list_view .o_group_header:contains('Price deviation')",
            run: "click",
        },
        {
            content: "The shop's bill waits for the accountant, with its reason",
            trigger: ".o_list_view .o_data_row:contains('TGF-2026-00001')",
        },
        {
            content: "Its match status: a price deviation",
            trigger: ".o_list_view .o_data_row:contains('TGF-2026-00001') .o_field_widget[name='oci_match_state']:contains('Price deviation')",
        },
        ...screenshot("bills_to_review"),
        {
            content: "Open the bill",
            trigger: ".o_list_view .o_data_row:contains('TGF-2026-00001') td.o_data_cell",
            run: "click",
        },
        {
            content: "The bill names the deviation",
            trigger: ".o_form_view:contains('Price deviation')",
        },
    ],
});
