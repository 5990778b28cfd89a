import ExactJSON
import Foundation

/// A user of an organisation: the person or business an API client acts for.
public struct User: Sendable, Equatable {
    public let id: UUID
    public let organizationID: UUID
    /// The name a partner uses for the user (unique in the organisation regardless of case).
    public let username: String
    public let profile: UserProfile
    public let createdAt: Date
    public let updatedAt: Date
}

/// Seed 002's profile fields (all but `history`, which the sales-history family keeps).
public struct UserProfile: Sendable, Equatable {
    public var image: String?
    public var name: String?
    public var lastname: String?
    public var businessName: String?
    public var quota: Decimal?
    public var status: String
    public var phone: String?
    public var email: String?
    public var nit: String?
    public var address: String?
    public var score: Decimal?
    public var paymentData: JSONObject
    public var apnToken: String?
    public var ecosystem: String?
    public var businessEntity: String?
    public var additionalData: JSONObject

    public init(image: String? = nil, name: String? = nil, lastname: String? = nil, businessName: String? = nil,
                quota: Decimal? = nil, status: String = "active", phone: String? = nil, email: String? = nil,
                nit: String? = nil, address: String? = nil, score: Decimal? = nil, paymentData: JSONObject = JSONObject([]),
                apnToken: String? = nil, ecosystem: String? = nil, businessEntity: String? = nil,
                additionalData: JSONObject = JSONObject([])) {
        self.image = image
        self.name = name
        self.lastname = lastname
        self.businessName = businessName
        self.quota = quota
        self.status = status
        self.phone = phone
        self.email = email
        self.nit = nit
        self.address = address
        self.score = score
        self.paymentData = paymentData
        self.apnToken = apnToken
        self.ecosystem = ecosystem
        self.businessEntity = businessEntity
        self.additionalData = additionalData
    }

    /// The profile as field values (for writing it as a whole).
    public var fieldValues: [UserField: UserFieldValue] {
        [
            .image: .text(image), .name: .text(name), .lastname: .text(lastname), .businessName: .text(businessName),
            .quota: .decimal(quota), .status: .text(status), .phone: .text(phone), .email: .text(email), .nit: .text(nit),
            .address: .text(address), .score: .decimal(score), .paymentData: .object(paymentData),
            .apnToken: .text(apnToken), .ecosystem: .text(ecosystem), .businessEntity: .text(businessEntity),
            .additionalData: .object(additionalData),
        ]
    }
}
